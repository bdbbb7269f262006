import Foundation

/// A real SMTP server for the end-to-end tests: aiosmtpd (`Resources/smtp_relay.py`) on loopback,
/// writing each message it accepts to `folder`. Its answers follow `mode` (see the script).
/// Stopped by its PID.
final class SMTPRelayProcess: @unchecked Sendable {
    let process = Process()
    let folder: URL
    private(set) var port = 0

    /// Starts the relay on `port` (0: a free one) with `mode`, writing to `folder`, and waits until it listens.
    init(folder: URL, port: Int = 0, mode: String = "accept") throws {
        self.folder = folder
        try Prerequisite.require(.aiosmtpd)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        setMode(mode)
        let script = Bundle.module.url(forResource: "smtp_relay", withExtension: "py", subdirectory: "Resources")!
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, folder.path, String(port)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.port = try Self.readPort(output.fileHandleForReading.fileDescriptor, process: process)
    }

    deinit {
        stop()
    }

    /// How the relay answers from its next transaction on.
    func setMode(_ mode: String) {
        _ = FileManager.default.createFile(
            atPath: folder.appendingPathComponent("mode").path, contents: Data(mode.utf8))
    }

    /// The messages accepted so far (with the envelope in `X-Envelope-*` lines), oldest first.
    var mails: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".eml") }.sorted().compactMap { name in
            try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
    }

    /// What the relay saw: `RCPT <address> <mode>`, `DATA 451`, `DATA 250`, one a line.
    var attempts: [String] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("attempts.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Waits up to `seconds` for `count` mails; whether they came.
    func waitForMails(_ count: Int, seconds: Double = 20) async -> Bool {
        await eventually(within: seconds) { self.mails.count >= count }
    }

    /// SIGTERM, then SIGKILL if it lingers; waits for the exit.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let limit = Date().addingTimeInterval(5)
        while process.isRunning && Date() < limit { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private static func readPort(_ fd: Int32, process: Process) throws -> Int {
        var text = ""
        let limit = Date().addingTimeInterval(20)
        while Date() < limit {
            if let range = text.range(of: #"port (\d+)\n"#, options: .regularExpression) {
                return Int(text[range].dropFirst(5).dropLast())!
            }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else {
                if !process.isRunning { break }
                continue
            }
            var chunk = [UInt8](repeating: 0, count: 256)
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { break }
            text += String(decoding: chunk[..<count], as: UTF8.self)
        }
        throw SMTPRelayError.didNotStart(text)
    }
}

enum SMTPRelayError: Error {
    case didNotStart(String)
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass, sleeping as a task: a blocking
/// wait would hold one of the few threads every async test of the run shares.
func eventually(within seconds: Double, _ condition: () -> Bool) async -> Bool {
    let limit = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < limit {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
