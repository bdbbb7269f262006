import Foundation
import Testing

/// A real `authd` process on a free loopback port with a fresh database in a temporary folder.
final class AuthdProcess: @unchecked Sendable {
    let process = Process()
    let directory: URL
    let databasePath: String
    private(set) var port = 0
    private let stderrPipe = Pipe()
    private let logLock = NSLock()
    private var logData = Data()

    /// Starts authd and waits until it logs the port it listens on; with `umask` (octal, `"022"`),
    /// under that file-creation mask whatever the test runner's.
    init(
        arguments: [String] = [], database: String? = nil, environment: [String: String] = [:], umask: String? = nil
    ) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("authd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        databasePath = database ?? directory.appendingPathComponent("authd.db").path
        let authdArguments = ["--port", "0", "--database", databasePath, "--bcrypt-cost", "4"] + arguments
        if let umask {
            // `exec` keeps one process: signals sent to it reach authd.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "umask \(umask) && exec \"$0\" \"$@\"", Self.binary.path] + authdArguments
        } else {
            process.executableURL = Self.binary
            process.arguments = authdArguments
        }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard let self, !chunk.isEmpty else { return }
            logLock.withLock { logData.append(chunk) }
        }
        try process.run()
        port = try waitForPort()
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Everything authd wrote to stderr so far.
    var log: String {
        logLock.withLock { String(decoding: logData, as: UTF8.self) }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Sends SIGTERM and waits (bounded) for the exit status.
    @discardableResult
    func stop(timeout: TimeInterval = 30) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let limit = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < limit { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    private func waitForPort() throws -> Int {
        try loggedPort(after: "listening on")
    }

    /// The admin listener's port (`--admin-port 0`), from its start-up line.
    func adminPort() throws -> Int {
        try loggedPort(after: "admin listener on")
    }

    /// The port of the first `<phrase> http://host:port` line in the log, waiting up to 30 s for it.
    private func loggedPort(after phrase: String) throws -> Int {
        let limit = Date().addingTimeInterval(30)
        while Date() < limit {
            let text = log
            // Whitespace after the digits proves the line arrived whole, not cut in a pipe read.
            if let range = text.range(of: phrase + #" http://\S+?:\d+\s"#, options: .regularExpression) {
                let match = text[range].dropLast()
                if let colon = match.lastIndex(of: ":"), let port = Int(match[match.index(after: colon)...]) {
                    return port
                }
            }
            if !process.isRunning { break }
            usleep(10_000)
        }
        throw AuthdProcessError.didNotStart(log)
    }

    /// The built `authd` next to the test bundle (the products folder of this build).
    static var binary: URL {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleFolder.appendingPathComponent("authd"),
            bundleFolder.deletingLastPathComponent().appendingPathComponent("authd"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/authd"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
    }
}

enum AuthdProcessError: Error, CustomStringConvertible {
    case didNotStart(String)

    var description: String {
        switch self {
        case .didNotStart(let log): "authd did not report a port; its log:\n\(log)"
        }
    }
}
