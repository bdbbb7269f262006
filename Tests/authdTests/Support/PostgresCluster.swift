import Foundation

/// A throwaway PostgreSQL cluster of one test's own, for what a shared server must not suffer:
/// being stopped, crashed or failed over. `initdb` into a temporary folder (as the `postgres` user
/// when the tests run as root, which PostgreSQL refuses to be), trust authentication, listening on
/// a free loopback port only, ready for streaming standbys. Removed, server and folder, on deinit.
final class PostgresCluster: @unchecked Sendable {
    /// The temporary folder: the data directory, the server log and the Unix socket live in it.
    let folder: URL
    let port: Int
    /// The running server, our child (through `runuser` when root); nil while stopped.
    private let server = Locked<Process?>(nil)
    private var data: URL { folder.appendingPathComponent("data") }
    private var logFile: URL { folder.appendingPathComponent("server.log") }

    /// The superuser's URL on the `postgres` database (`PostgresDatabase(on:)` takes it).
    var adminURL: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    /// `host:port` as a multi-host URI lists it.
    var hostAndPort: String { "127.0.0.1:\(port)" }

    /// A new primary, initialised and started.
    convenience init() throws {
        try self.init(folder: Self.makeFolder(), port: freePort())
        try runAsOwner("initdb", ["-D", data.path, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        try configure(primary: true)
        try start()
    }

    private init(folder: URL, port: Int) {
        self.folder = folder
        self.port = port
    }

    deinit {
        // Immediate: nothing in a throwaway cluster is worth a checkpoint, and a test that failed
        // half-way must not leave a server behind.
        do { try stop(immediately: true) } catch { killByPIDFile() }
        try? FileManager.default.removeItem(at: folder)
    }

    /// A streaming standby of this primary (`pg_basebackup -R`), started on a port of its own.
    func standby() throws -> PostgresCluster {
        let standby = PostgresCluster(folder: try Self.makeFolder(), port: try freePort())
        try standby.runAsOwner(
            "pg_basebackup",
            ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-D", standby.data.path, "-R", "-c", "fast"])
        try standby.configure(primary: false)
        try standby.start()
        return standby
    }

    /// A fresh database of its own on this cluster, dropped when the value goes away.
    func createDatabase() throws -> PostgresDatabase {
        try PostgresDatabase(on: adminURL)
    }

    /// Starts the server as a child process of the tests and waits until it accepts connections.
    /// Not through `pg_ctl start`: the daemon it leaves would inherit the descriptor by which
    /// Foundation sees `pg_ctl` exit, and the wait for it would last as long as the server.
    func start() throws {
        let process = Process()
        let path = PostgresEnvironment.binaries.appendingPathComponent("postgres").path
        (process.executableURL, process.arguments) =
            getuid() == 0
            ? (URL(fileURLWithPath: "/usr/sbin/runuser"), ["-u", "postgres", "--", path, "-D", data.path])
            : (URL(fileURLWithPath: path), ["-D", data.path])
        process.currentDirectoryURL = folder
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logFile)
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        server.update { $0 = process }
        let limit = Date().addingTimeInterval(30)
        while Date() < limit && process.isRunning {
            if (try? runAsOwner("pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)", "-t", "1"])) != nil { return }
            usleep(50_000)
        }
        throw PostgresError.command("postgres -D \(data.path)", "did not accept connections within 30 s\n" + self.log)
    }

    /// Stops the server: `fast` (clean: sessions ended, a checkpoint) or `immediate` (as a crash),
    /// through `pg_ctl`, which signals the PID the server wrote; then reaps our child.
    func stop(immediately: Bool = false) throws {
        guard let process = server.current, process.isRunning else { return }
        try runAsOwner("pg_ctl", ["-D", data.path, "-m", immediately ? "immediate" : "fast", "-w", "-t", "30", "stop"])
        process.waitUntilExit()
        server.update { $0 = nil }
    }

    /// SIGKILL to the PID on the first line of `postmaster.pid`: the last resort when `pg_ctl` fails.
    private func killByPIDFile() {
        let text = try? String(contentsOf: data.appendingPathComponent("postmaster.pid"), encoding: .utf8)
        guard let line = text?.split(separator: "\n").first, let pid = pid_t(line), pid > 0 else { return }
        kill(pid, SIGKILL)
        server.current?.waitUntilExit()
    }

    /// Turns a standby into a primary and waits until it accepts writes.
    func promote() throws {
        try runAsOwner("pg_ctl", ["-D", data.path, "-w", "-t", "30", "promote"])
    }

    /// The server log so far, for a failure message.
    var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Settings appended to the ones `initdb` (or the primary, through the base backup) wrote; the
    /// last occurrence of a setting wins.
    private func configure(primary: Bool) throws {
        var settings = [
            "listen_addresses = '127.0.0.1'",
            "port = \(port)",
            // The socket in our folder: /var/run/postgresql may not exist or be writable here.
            "unix_socket_directories = '\(folder.path)'",
            // A process crash loses nothing written (the kernel still has it); only a machine
            // crash would, and the tests never cause one. Spares the shared disk.
            "fsync = off",
            "max_connections = 100",
            "shared_buffers = 16MB",
        ]
        if primary {
            settings += ["wal_level = replica", "max_wal_senders = 4", "wal_keep_size = 64MB"]
        }
        let conf = data.appendingPathComponent("postgresql.conf")
        try append(settings.joined(separator: "\n") + "\n", to: conf)
        if primary {
            // initdb writes these already with --auth=trust; said here so the standby never depends on it.
            try append("host replication all 127.0.0.1/32 trust\n", to: data.appendingPathComponent("pg_hba.conf"))
        }
    }

    private func append(_ text: String, to file: URL) throws {
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// Runs a PostgreSQL binary as the folder's owner: through `runuser -u postgres --` when root.
    private func runAsOwner(_ tool: String, _ arguments: [String]) throws {
        let path = PostgresEnvironment.binaries.appendingPathComponent(tool).path
        let (executable, all) =
            getuid() == 0 ? ("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments) : (path, arguments)
        // In our folder: the postgres user may not be allowed into the test's working directory.
        let result = try run(executable, all, directory: folder)
        guard result.status == 0 else {
            throw PostgresError.command("\(tool) \(arguments.joined(separator: " "))", result.output + "\n" + log)
        }
    }

    /// A fresh folder in /tmp, given to the `postgres` user when we are root.
    private static func makeFolder() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp").appendingPathComponent("authd-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if getuid() == 0 {
            guard let owner = getpwnam("postgres") else { throw PostgresError.command("getpwnam postgres", "") }
            guard chown(url.path, owner.pointee.pw_uid, owner.pointee.pw_gid) == 0 else {
                throw PostgresError.command("chown \(url.path)", String(cString: strerror(errno)))
            }
        }
        return url
    }
}
