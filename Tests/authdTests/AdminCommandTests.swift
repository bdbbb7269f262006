import Foundation
import Testing

/// The admin subcommands against the real binary, while a server runs on the same database.
@Suite struct AdminCommandTests {
    init() throws {
        try Prerequisite.require(.sqlite3, .bcrypt)
    }

    /// Runs `authd <arguments>` to completion with `input` on standard input; its status and
    /// combined output.
    private func authd(
        _ arguments: [String], input: String? = nil, environment: [String: String] = [:]
    ) throws -> (status: Int32, output: String) {
        guard let input else { return try run(AuthdProcess.binary.path, arguments, environment: environment) }
        let process = Process()
        process.executableURL = AuthdProcess.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func register(_ client: HTTPClient, _ email: String, _ password: String) async throws {
        let answer = try await client.send("POST", "/users", form: ["email": email, "password": password])
        #expect(answer.status == 200, "registering \(email)")
    }

    private func login(_ client: HTTPClient, _ email: String, _ password: String) async throws -> HTTPAnswer {
        try await client.send("POST", "/sessions", form: ["email": email, "password": password])
    }

    @Test func usersCommandsListShowLogOutSetPasswordAndDeleteWhileServing() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        let database = ["--database", server.databasePath]
        try await register(client, "Alice@Example.COM", "alice-pw")
        try await register(client, "bob@example.com", "bob-pw")
        let session = try #require(HTTPClient.sessionID(from: try await login(client, "Alice@example.com", "alice-pw")))

        let listed = try authd(["users", "list"] + database)
        #expect(listed.status == 0)
        #expect(listed.output.contains("Alice@example.com"))
        #expect(listed.output.contains("bob@example.com"))
        #expect(listed.output.contains("2 users"))
        #expect(!listed.output.contains(session))

        // The variable names the database as it does for the server.
        let json = try authd(["users", "list", "--json"], environment: ["AUTHD_DATABASE": server.databasePath])
        #expect(json.status == 0)
        let users = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
        #expect(users.map { $0["email"] as? String } == ["Alice@example.com", "bob@example.com"])
        #expect(users.map { $0["session"] as? Bool } == [true, false])
        #expect(users.allSatisfy { $0["id"] is Int })

        // Found as a login finds it: normalized, then ignoring case.
        let shown = try authd(["users", "show", "ALICE@example.com"] + database)
        #expect(shown.status == 0)
        #expect(shown.output.contains("email: Alice@example.com"))
        #expect(shown.output.contains("session since"))
        #expect(shown.output.contains("bcrypt cost 4"))

        #expect(try await client.send("GET", "/profile", sessionID: session).status == 200)
        // Listed by handle, times and client, never by the secret id.
        let listing = try authd(["users", "sessions", "alice@example.com"] + database)
        #expect(listing.status == 0, "\(listing.output)")
        #expect(listing.output.contains("1 session of Alice@example.com"))
        #expect(listing.output.contains("127.0.0.1") && listing.output.contains("password"))
        #expect(!listing.output.contains(session))
        let loggedOut = try authd(["users", "logout", "alice@example.com"] + database)
        #expect(loggedOut.status == 0)
        #expect(loggedOut.output.contains("ended 1 session of Alice@example.com"))
        // The same audit line the server writes for a revocation, naming the session by its handle.
        let handle = try #require(listing.output.split(separator: " ").first.map(String.init))
        #expect(
            loggedOut.output.contains(
                #""audit":"session_ended","user_id":1,"address":"","reason":"revoked","session":"\#(handle)""#),
            "\(loggedOut.output)")
        #expect(try await client.send("GET", "/profile", sessionID: session).status == 403)

        let changed = try authd(
            ["users", "set-password", "bob@example.com", "--bcrypt-cost", "4"] + database, input: "new-bob-pw\n")
        #expect(changed.status == 0, "\(changed.output)")
        #expect(!changed.output.contains("new-bob-pw"))
        #expect(changed.output.contains(#""audit":"password_changed","user_id":2,"address":""}"#), "\(changed.output)")
        #expect(
            changed.output.contains(#""audit":"session_ended","user_id":2,"address":"","reason":"password_changed"}"#))
        #expect(try await login(client, "bob@example.com", "new-bob-pw").status == 200)
        #expect(try await login(client, "bob@example.com", "bob-pw").status == 401)
        // As the seed stores hashes: bytes (a BLOB), at the cost asked for.
        let stored = try run(
            "/usr/bin/sqlite3",
            [
                server.databasePath,
                "SELECT typeof(hashed_password), substr(hashed_password, 1, 7) FROM users WHERE email = 'bob@example.com'",
            ])
        #expect(stored.output.trimmingCharacters(in: .whitespacesAndNewlines) == "blob|$2b$04$")

        let deleted = try authd(["users", "delete", "bob@example.com"] + database)
        #expect(deleted.status == 0)
        #expect(deleted.output.contains("deleted user"))
        #expect(try await login(client, "bob@example.com", "new-bob-pw").status == 401)
        try await register(client, "bob@example.com", "again")
        #expect(try await login(client, "bob@example.com", "again").status == 200)
        #expect(server.stop() == 0)
    }

    @Test func anUnknownEmailIsOneErrorLineAndExitOne() throws {
        let server = try AuthdProcess()
        let database = ["--database", server.databasePath]
        for command in [["users", "show"], ["users", "delete"], ["users", "logout"]] {
            let result = try authd(command + ["nobody@example.com"] + database)
            #expect(result.status == 1, "\(command)")
            #expect(result.output == "Error: no user with email nobody@example.com\n", "\(command)")
        }
        let password = try authd(["users", "set-password", "nobody@example.com"] + database, input: "pw\n")
        #expect(password.status == 1)
        #expect(password.output == "Error: no user with email nobody@example.com\n")
        let missing = try authd([
            "users", "list", "--database", server.directory.appendingPathComponent("none.db").path,
        ])
        #expect(missing.status == 1)
        #expect(missing.output.hasPrefix("Error: no database at "))
        #expect(missing.output.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: server.directory.appendingPathComponent("none.db").path))
    }

    @Test func setPasswordReadsStandardInputOnly() throws {
        let server = try AuthdProcess()
        let result = try authd(["users", "set-password", "a@b.c", "--database", server.databasePath], input: "")
        #expect(result.status == 1)
        #expect(result.output.hasPrefix("Error: no password on standard input"))
        // No argument can carry a password.
        let extra = try authd(["users", "set-password", "a@b.c", "secret", "--database", server.databasePath])
        #expect(extra.status != 0)
    }

    @Test func backupWhileWritesRunIsAConsistentCopyHoldingTheUsers() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        for index in 0..<5 { try await register(client, "before\(index)@example.com", "pw") }
        let load = Task {
            var index = 0
            while !Task.isCancelled {
                _ = try? await client.send(
                    "POST", "/users", form: ["email": "load\(index)@example.com", "password": "pw"])
                index += 1
            }
            return index
        }
        try await Task.sleep(for: .milliseconds(200))
        let copy = server.directory.appendingPathComponent("copy.db").path
        let backup = try authd(["backup", copy, "--database", server.databasePath])
        load.cancel()
        let written = await load.value
        #expect(backup.status == 0, "\(backup.output)")
        #expect(backup.output.contains("integrity ok"))
        #expect(written > 0)

        let check = try run(
            "/usr/bin/sqlite3",
            [copy, "PRAGMA integrity_check; SELECT count(*) FROM users WHERE email LIKE 'before%';"])
        #expect(check.output.split(separator: "\n") == ["ok", "5"])
        // An existing file is never overwritten.
        let again = try authd(["backup", copy, "--database", server.databasePath])
        #expect(again.status == 1)
        #expect(again.output.contains("already exists"))
        #expect(
            try run("/usr/bin/sqlite3", [copy, "SELECT count(*) FROM users WHERE email LIKE 'before%'"]).output == "5\n"
        )
        #expect(server.stop() == 0)
    }

    @Test func importKeepsPasswordsAndSkipsBadRowsByLine() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        try await register(client, "taken@example.com", "own-pw")
        let hashes = try run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import bcrypt
                for p in (b"imported-1", b"imported-2", b"bad"): print(bcrypt.hashpw(p, bcrypt.gensalt(4)).decode())
                """,
            ])
        let lines = hashes.output.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(hashes.output)")
        let csv = """
            email,hashed_password
            "  First@Example.ORG ",\(lines[0])
            not-an-email,\(lines[2])
            first@example.org,\(lines[2])
            broken@example.org,$2b$04$short
            TAKEN@example.com,\(lines[2])
            one-field-only
            second@example.org,\(lines[1])

            """
        let file = server.directory.appendingPathComponent("users.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)

        let result = try authd(["import", file.path, "--database", server.databasePath])
        #expect(result.status == 0, "\(result.output)")
        let output = result.output.split(separator: "\n").map(String.init)
        #expect(
            output == [
                "\(file.path):3: skipped: not an email: not exactly one @",
                "\(file.path):4: skipped: same email as line 2 (ignoring case)",
                "\(file.path):5: skipped: the second field is not a bcrypt hash ($2a$, $2b$ or $2y$)",
                "\(file.path):6: skipped: email already registered (ignoring case)",
                "\(file.path):7: skipped: 1 field, expected 2 (email, bcrypt hash)",
                "imported 2 users, skipped 5 rows",
            ])

        // Normalized as at sign-up, and their old passwords work.
        #expect(try await login(client, "First@example.org", "imported-1").status == 200)
        #expect(try await login(client, "second@example.org", "imported-2").status == 200)
        // Nothing of the bad rows was written.
        #expect(try await login(client, "taken@example.com", "own-pw").status == 200)
        #expect(try await login(client, "taken@example.com", "bad").status == 401)
        #expect(try await login(client, "broken@example.org", "bad").status == 401)
        let count = try run("/usr/bin/sqlite3", [server.databasePath, "SELECT count(*) FROM users"])
        #expect(count.output == "3\n")
        #expect(server.stop() == 0)
    }

    @Test func everyAdminCommandHasHelp() throws {
        for command in [
            ["users"], ["users", "list"], ["users", "show"], ["users", "delete"], ["users", "logout"],
            ["users", "set-password"], ["backup"], ["import"], ["migrate"], ["serve"],
        ] {
            let result = try authd(command + ["--help"])
            #expect(result.status == 0, "\(command)")
            #expect(result.output.contains("USAGE: authd \(command.joined(separator: " "))"), "\(command)")
        }
        #expect(try authd(["users", "list", "--help"]).output.contains("--database"))
        #expect(try authd(["serve", "--help"]).output.contains("--throttle-exempt"))
    }
}
