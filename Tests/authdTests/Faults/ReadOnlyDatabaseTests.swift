import Foundation
import Testing

extension HeavyFaultSuites {
    /// A database file the service user may not write is refused at start with one clear line and
    /// a non-zero exit, and left untouched.
    @Suite struct ReadOnlyDatabaseTests {
        @Test func aReadOnlyDatabaseIsRefusedAtStartWithOneLine() async throws {
            let folder = try TemporaryFolder()
            let database = folder.url.appendingPathComponent("authd.db").path
            do {
                let server = try AuthdProcess(database: database)
                #expect(try server.stillServes())
                #expect(server.stop() == 0)
            }
            #expect(chmod(database, 0o444) == 0)
            let before = try Data(contentsOf: URL(fileURLWithPath: database))

            // root writes through file modes, so as root the service runs as nobody, as under systemd.
            let authd = [AuthdProcess.binary.path, "--port", "0", "--database", database]
            let command =
                getuid() == 0
                ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + authd
                : authd
            let result = try await onOwnThread { try run("/usr/bin/timeout", ["20"] + command) }

            #expect(result.status == 1)
            let lines = result.output.split(separator: "\n")
            #expect(lines.count == 1, "\(result.output)")
            #expect(result.output.contains("cannot open database"))
            #expect(result.output.contains("readonly database"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before)
        }
    }
}
