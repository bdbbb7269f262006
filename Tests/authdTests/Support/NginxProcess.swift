import Foundation
import Testing

/// nginx in front of an authd, as in production: a free loopback port proxied to authd's, with the
/// usual `X-Forwarded-For`. Its configuration, pid file, logs and temporary files live in a folder of
/// its own (no system path is touched); one process (`master_process off`), stopped by its PID.
final class NginxProcess {
    static let binary = "/usr/sbin/nginx"

    let port: Int
    private let process = Process()
    private let folder: TemporaryFolder

    /// Starts nginx proxying to authd on `upstreamPort` and waits until it accepts connections.
    convenience init(proxyingTo upstreamPort: Int) throws {
        try self.init { port in
            """
            server {
                listen 127.0.0.1:\(port);
                location / {
                    proxy_pass http://127.0.0.1:\(upstreamPort);
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                }
            }
            """
        }
    }

    /// Starts nginx with `http(port)` inside its `http` block (which must listen on `port`: the
    /// one given, else one free a moment ago) and waits until it accepts connections.
    init(port given: Int? = nil, http: (_ port: Int) throws -> String) throws {
        try Prerequisite.require(.nginx)
        folder = try TemporaryFolder()
        port = try given ?? freePort()
        let path = try Self.write(http(port), in: folder)
        let dir = folder.url.path
        process.executableURL = URL(fileURLWithPath: Self.binary)
        // -e: nginx opens its compiled-in error log before reading the configuration otherwise.
        process.arguments = ["-p", dir, "-c", path, "-e", "\(dir)/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilListening()
    }

    /// `nginx -t` on `http` inside the same frame: its status and what it said.
    static func check(http: String) throws -> (status: Int32, output: String) {
        try Prerequisite.require(.nginx)
        let folder = try TemporaryFolder()
        let path = try write(http, in: folder)
        return try run(binary, ["-t", "-p", folder.url.path, "-c", path, "-e", "\(folder.url.path)/error.log"])
    }

    /// Writes a whole configuration around `http` into `folder`: its pid file, logs and temporary
    /// files all inside; the configuration's path.
    private static func write(_ http: String, in folder: TemporaryFolder) throws -> String {
        let dir = folder.url.path
        let configuration = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(dir)/nginx.pid;
            error_log \(dir)/error.log warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path \(dir)/body;
                proxy_temp_path \(dir)/proxy;
                fastcgi_temp_path \(dir)/fastcgi;
                uwsgi_temp_path \(dir)/uwsgi;
                scgi_temp_path \(dir)/scgi;
            \(http)
            }

            """
        let path = folder.url.appendingPathComponent("nginx.conf").path
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    deinit {
        stop()
    }

    /// Kills nginx by its PID and waits for it to exit. SIGKILL, not SIGTERM: nginx inherits the
    /// test runner's signal mask, which blocks SIGTERM, and its single-process mode never unblocks
    /// it; one process with nothing to save loses nothing by it.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// nginx's error log so far (for a failure message).
    var errorLog: String {
        (try? String(contentsOfFile: folder.url.appendingPathComponent("error.log").path, encoding: .utf8)) ?? ""
    }

    private func waitUntilListening() throws {
        let limit = Date().addingTimeInterval(15)
        while Date() < limit {
            if (try? RawClient(port: port, timeoutSeconds: 1)) != nil { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        throw NginxError.didNotStart(errorLog)
    }
}

enum NginxError: Error, CustomStringConvertible {
    case didNotStart(String)

    var description: String {
        switch self {
        case .didNotStart(let log): "nginx did not start; its error log:\n\(log)"
        }
    }
}
