import Foundation
import Testing

/// Start, stop, restart and bad configuration of the real binary.
@Suite struct LifecycleTests {
    @Test func dataSurvivesARestartAndSigtermExitsZero() async throws {
        let first = try AuthdProcess()
        let client = HTTPClient(base: first.baseURL)
        #expect(try await client.send("POST", "/users", form: ["email": "keep@b.c", "password": "pw"]).status == 200)
        #expect(first.stop() == 0)

        let second = try AuthdProcess(database: first.databasePath)
        let again = HTTPClient(base: second.baseURL)
        #expect(try await again.send("POST", "/sessions", form: ["email": "keep@b.c", "password": "pw"]).status == 200)
        #expect(second.stop() == 0)
    }

    @Test func anUnusableDatabaseStopsStartWithOneClearLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("authd-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let notADatabase = folder.appendingPathComponent("junk.db")
        try Data(repeating: 0x41, count: 4096).write(to: notADatabase)

        for path in [notADatabase.path, folder.appendingPathComponent("missing/dir/authd.db").path] {
            let process = Process()
            process.executableURL = AuthdProcess.binary
            process.arguments = ["--port", "0", "--database", path]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            process.waitUntilExit()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus != 0)
            #expect(text.contains("database"), "log was: \(text)")
        }
    }

    /// Runs authd (on a fresh database path, bounded in time) to its exit: its status, its log lines,
    /// and whether it got as far as creating the database.
    private func refusal(
        _ arguments: [String], environment: [String: String] = [:]
    ) throws -> (status: Int32, lines: [String], openedDatabase: Bool) {
        let folder = try TemporaryFolder()
        let database = folder.url.appendingPathComponent("authd.db").path
        let result = try run(
            "/usr/bin/timeout", ["20", AuthdProcess.binary.path, "--database", database] + arguments,
            environment: environment)
        return (
            result.status, result.output.split(separator: "\n").map(String.init),
            FileManager.default.fileExists(atPath: database)
        )
    }

    @Test func aBadFlagStopsStartWithOneLineNamingTheSettingAndValue() throws {
        let hashQueue = try refusal(["--port", "0", "--hash-queue", "0"])
        #expect(hashQueue.status == 1)
        #expect(hashQueue.lines == ["Error: --hash-queue 0 must be at least 1"])
        #expect(!hashQueue.openedDatabase)

        let timeout = try refusal(["--port", "0", "--request-timeout", "0"])
        #expect(timeout.status == 1)
        #expect(timeout.lines.count == 1 && timeout.lines[0].contains("--request-timeout 0"), "\(timeout.lines)")
    }

    @Test func aBadVariableStopsStartWithOneLineNamingIt() throws {
        // Unreadable: once silently replaced by the default port.
        let port = try refusal([], environment: ["AUTHD_PORT": "abc"])
        #expect(port.status == 1)
        #expect(port.lines == ["Error: AUTHD_PORT='abc' is not a whole number"])
        #expect(!port.openedDatabase)

        // Readable but out of range: the same rule as for the flag.
        let cost = try refusal(["--port", "0"], environment: ["AUTHD_BCRYPT_COST": "40"])
        #expect(cost.status == 1)
        #expect(cost.lines == ["Error: --bcrypt-cost 40 must be within 4...31"])

        let secure = try refusal(["--port", "0"], environment: ["AUTHD_COOKIE_SECURE": "maybe"])
        #expect(secure.status == 1)
        #expect(secure.lines.count == 1 && secure.lines[0].contains("AUTHD_COOKIE_SECURE='maybe'"), "\(secure.lines)")
    }

    @Test func aFlagOverridesItsVariableAndAVariableItsDefault() async throws {
        // AuthdProcess passes --bcrypt-cost 4: the variable's 40 would be refused if it won.
        let server = try AuthdProcess(environment: ["AUTHD_BCRYPT_COST": "40", "AUTHD_HASH_THREADS": "3"])
        #expect(server.log.contains("bcrypt_cost=4 "), "\(server.log)")
        #expect(server.log.contains("hash_threads=3 "), "\(server.log)")
        let client = HTTPClient(base: server.baseURL)
        #expect(try await client.send("POST", "/users", form: ["email": "a@b.c", "password": "pw"]).status == 200)
        #expect(server.stop() == 0)
    }

    @Test func aPortInUseStopsStartWithOneLineNamingTheAddress() throws {
        let holder = try AuthdProcess()
        let result = try refusal(["--port", "\(holder.port)"])
        #expect(result.status == 1)
        #expect(result.lines.count == 1, "\(result.lines)")
        #expect(
            result.lines.first?.contains("cannot start: cannot listen on 127.0.0.1:\(holder.port)") == true,
            "\(result.lines)")
        #expect(holder.stop() == 0)
    }

    @Test func invalidFlagsAreRefused() throws {
        let process = Process()
        process.executableURL = AuthdProcess.binary
        process.arguments = ["--bcrypt-cost", "3"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
    }
}
