import Foundation
import Testing

/// The application the gate protects in the tests: `Resources/echo_upstream.py` on loopback, which
/// answers each request with its method, path and header fields as JSON. Stopped by its PID.
final class EchoUpstream {
    let process = Process()
    private(set) var port = 0

    init() throws {
        let script = Bundle.module.url(forResource: "echo_upstream", withExtension: "py", subdirectory: "Resources")!
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = output.fileHandleForReading.readLine(within: 20)
        guard let line, line.hasPrefix("port "), let port = Int(line.dropFirst(5)) else {
            throw GateProxyError.didNotStart("echo upstream said \(line ?? "nothing")")
        }
        self.port = port
    }

    deinit {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// The snippets `docs/gate.md` shows, read from `docs/gate/`, with the example ports replaced by
/// the test's: authd 9091, the application 3000, the proxy 8080.
enum GateSnippet {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs")

    /// The file `docs/gate/<name>` as it is.
    static func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("gate").appendingPathComponent(name), encoding: .utf8)
    }

    /// The snippet `name` for these ports.
    static func configured(_ name: String, authd: Int, upstream: Int, proxy: Int) throws -> String {
        try text(name).replacingOccurrences(of: "127.0.0.1:9091", with: "127.0.0.1:\(authd)")
            .replacingOccurrences(of: "127.0.0.1:3000", with: "127.0.0.1:\(upstream)")
            .replacingOccurrences(of: ":8080", with: ":\(proxy)")
    }
}

/// Debian's Caddy with a Caddyfile, on loopback; its storage and configuration folders are a
/// temporary folder (no system path is touched, no admin endpoint). Stopped by its PID.
final class CaddyProcess {
    static let binary = "/usr/bin/caddy"

    let port: Int
    private let process = Process()
    private let folder: TemporaryFolder

    /// Starts Caddy with `caddyfile()`, which must listen on `port` (free a moment ago), and
    /// waits until it accepts connections.
    init(port: Int, caddyfile: () throws -> String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "caddy is not installed")
        folder = try TemporaryFolder()
        self.port = port
        let path = folder.url.appendingPathComponent("Caddyfile").path
        try caddyfile().write(toFile: path, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "--config", path, "--adapter", "caddyfile"]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = folder.url.path
        environment["XDG_DATA_HOME"] = folder.url.appendingPathComponent("data").path
        environment["XDG_CONFIG_HOME"] = folder.url.appendingPathComponent("config").path
        process.environment = environment
        let logPath = folder.url.appendingPathComponent("caddy.log").path
        try #require(FileManager.default.createFile(atPath: logPath, contents: nil), "cannot create \(logPath)")
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        let limit = Date().addingTimeInterval(20)
        while Date() < limit {
            if (try? RawClient(port: port, timeoutSeconds: 1)) != nil { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        stop()
        let said = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        throw GateProxyError.didNotStart("caddy: \(said)")
    }

    deinit { stop() }

    /// SIGKILL by PID: Caddy keeps nothing worth a clean stop here.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

enum GateProxyError: Error, CustomStringConvertible {
    case didNotStart(String)

    var description: String {
        switch self {
        case .didNotStart(let why): "a proxy of the gate tests did not start: \(why)"
        }
    }
}

extension FileHandle {
    /// One line of output (without its newline), waiting up to `seconds`; nil when none came.
    func readLine(within seconds: Double) -> String? {
        var text = ""
        let limit = Date().addingTimeInterval(seconds)
        while Date() < limit {
            if let newline = text.firstIndex(of: "\n") { return String(text[..<newline]) }
            var entry = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 256)
            let count = Glibc.read(fileDescriptor, &chunk, chunk.count)
            guard count > 0 else { break }
            text += String(decoding: chunk[..<count], as: UTF8.self)
        }
        return nil
    }
}
