import Foundation
import Testing

/// `authd migrate` through the real binary: a seed-made and an authd-made file copied into a fresh
/// target, then used by an authd serving the target with the old passwords, cookies and tokens.
@Suite struct MigrateCommandTests {
    private static let session = "0e7b3c1a-5d2f-4b8e-9a61-3f0c2d4e5b6a"
    private static let token = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"

    /// `authd migrate --from source --to target` (with `--secret-key-file key`): its status and
    /// combined output.
    private func migrate(_ source: String, _ target: String, key: String? = nil) throws -> (
        status: Int32, output: String
    ) {
        let keyArguments = key.map { ["--secret-key-file", $0] } ?? []
        return try run(AuthdProcess.binary.path, ["migrate", "--from", source, "--to", target] + keyArguments)
    }

    /// The file's SHA-256, to prove the source is left as it was.
    private func digest(_ path: String) throws -> String {
        let (status, output) = try run("/usr/bin/sha256sum", [path])
        try #require(status == 0, "\(output)")
        return String(output.prefix(64))
    }

    /// The source's users in the shape `DatabaseKind` reads a target's.
    private func sourceRows(_ path: String) throws -> [String] {
        try sqliteLines(
            path,
            """
            SELECT email, CAST(hashed_password AS TEXT), session_id, reset_token, authd_session_created_ms, \
            authd_reset_token_created_ms FROM users ORDER BY id
            """)
    }

    /// A file as the seed's service leaves it: two users at bcrypt cost 4, one logged in, the
    /// other with a pending reset token, both stored raw as the seed stores them.
    private func seedFile(in folder: TemporaryFolder) throws -> String {
        let path = folder.url.appendingPathComponent("seed.db").path
        try seedStore(["create", path, "guillaume@holberton.io", "b4l0u", "4", "Other@Example.com", "pw-2", "4"])
        _ = try sqliteLines(
            path,
            """
            UPDATE users SET session_id = '\(Self.session)' WHERE id = 1;
            UPDATE users SET reset_token = '\(Self.token)' WHERE id = 2;
            """)
        return path
    }

    @Test(arguments: DatabaseKind.allCases)
    func aSeedMadeFileMovesWithItsPasswordsSessionAndTokenAndStaysUnchanged(_ kind: DatabaseKind) async throws {
        let folder = try TemporaryFolder()
        let source = try seedFile(in: folder)
        let before = try digest(source)
        try await kind.with(in: folder) { target, _ in
            let first = try migrate(source, target)
            #expect(first.status == 0, "\(first.output)")
            #expect(first.output == "copied 2 users (1 session, 1 reset token, 0 second factors); 0 already present\n")
            let again = try migrate(source, target)
            #expect(again.status == 0, "\(again.output)")
            #expect(
                again.output == "copied 0 users (0 sessions, 0 reset tokens, 0 second factors); 2 already present\n")
            #expect(try digest(source) == before)
            if kind == .sqlite {
                // The hash as the seed stores it, so the seed's service still verifies it on the target.
                #expect(try seedStore(["check", target, "guillaume@holberton.io", "b4l0u"]) == "$2b$04$ ok\n")
            }

            let server = try AuthdProcess(database: target)
            let client = HTTPClient(base: server.baseURL)
            #expect(
                try await client.send("GET", "/profile", sessionID: Self.session).json == [
                    "email": "guillaume@holberton.io"
                ])
            let update = try await client.send(
                "PUT", "/reset_password",
                form: ["email": "Other@Example.com", "reset_token": Self.token, "new_password": "pw-3"])
            #expect(update.status == 200)
            let login = try await client.send(
                "POST", "/sessions", form: ["email": "guillaume@holberton.io", "password": "b4l0u"])
            #expect(login.status == 200)
            #expect(
                try await client.send("POST", "/sessions", form: ["email": "Other@Example.com", "password": "pw-3"])
                    .status == 200)
            #expect(server.stop() == 0)
        }
        #expect(try digest(source) == before)
    }

    @Test(arguments: DatabaseKind.allCases)
    func anAuthdMadeFileMovesWithItsDigestsAndTheirTimes(_ kind: DatabaseKind) async throws {
        let folder = try TemporaryFolder()
        let source = folder.url.appendingPathComponent("authd.db").path
        let old = try AuthdProcess(database: source)
        let oldClient = HTTPClient(base: old.baseURL)
        for email in ["alice@example.com", "bob@example.com", "carol@example.com"] {
            #expect(
                try await oldClient.send("POST", "/users", form: ["email": email, "password": "pw-\(email)"]).status
                    == 200)
        }
        let login = try await oldClient.send(
            "POST", "/sessions", form: ["email": "alice@example.com", "password": "pw-alice@example.com"])
        let session = try #require(HTTPClient.sessionID(from: login))
        let token = try #require(
            try await oldClient.send("POST", "/reset_password", form: ["email": "bob@example.com"]).json["reset_token"])
        #expect(old.stop() == 0)
        let before = try digest(source)
        let expected = try sourceRows(source)

        try await kind.with(in: folder) { target, rows in
            let result = try migrate(source, target)
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output == "copied 3 users (1 session, 1 reset token, 0 second factors); 0 already present\n")
            #expect(try digest(source) == before)
            // Every column as it was, creation times included: only the ids are the target's.
            #expect(try rows() == expected)

            let server = try AuthdProcess(database: target)
            let client = HTTPClient(base: server.baseURL)
            #expect(try await client.send("GET", "/profile", sessionID: session).json == ["email": "alice@example.com"])
            let update = try await client.send(
                "PUT", "/reset_password",
                form: ["email": "bob@example.com", "reset_token": token, "new_password": "new-bob"])
            #expect(update.status == 200)
            #expect(
                try await client.send(
                    "POST", "/sessions", form: ["email": "carol@example.com", "password": "pw-carol@example.com"]
                ).status == 200)
            #expect(server.stop() == 0)
            // Used since: bob's password and carol's session differ now, and alice's is untouched.
            #expect(
                try migrate(source, target).output.split(separator: "\n") == [
                    "conflict: bob@example.com: the target holds this email with another password hash and reset token",
                    "conflict: carol@example.com: the target holds this email with another session",
                    "Error: 2 users conflict with the target (listed above); nothing was copied",
                ])
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func conflictsAreReportedByEmailAndNothingIsWritten(_ kind: DatabaseKind) async throws {
        let folder = try TemporaryFolder()
        let source = try seedFile(in: folder)
        _ = try sqliteLines(
            source, "INSERT INTO users (email, hashed_password) VALUES ('new@example.com', CAST('h' AS BLOB))")
        let before = try digest(source)
        try await kind.with(in: folder) { target, rows in
            // The target already serves the first email with another password, and a case twin of the second.
            let server = try AuthdProcess(database: target)
            let client = HTTPClient(base: server.baseURL)
            for email in ["guillaume@holberton.io", "other@example.com"] {
                #expect(
                    try await client.send("POST", "/users", form: ["email": email, "password": "theirs"]).status == 200)
            }
            #expect(server.stop() == 0)
            let stored = try rows()

            let result = try migrate(source, target)
            #expect(result.status == 1)
            #expect(
                result.output.split(separator: "\n") == [
                    "conflict: guillaume@holberton.io: the target holds this email with another password hash and session",
                    "conflict: Other@Example.com: the target holds other@example.com, equal ignoring case, which the source lacks",
                    "Error: 2 users conflict with the target (listed above); nothing was copied",
                ])
            #expect(try rows() == stored)
            #expect(stored.count == 2)
        }
        #expect(try digest(source) == before)
    }

    @Test(arguments: DatabaseKind.allCases)
    func aSecondFactorMovesSealedAgainToTheNewIDWithItsUsedStepAndCodes(_ kind: DatabaseKind) async throws {
        try Prerequisite.require(.pyotp, .sqlite3)
        // The source: served with a key file; Alice enrolled through the routes and used a recovery code.
        let service = try TOTPService()
        _ = try await service.registered("gone@example.com")
        let alice = try await service.enrolledUser("alice@example.com")
        let bob = try await service.registered("bob@example.com")
        let waiting = try await service.login(alice)
        let used = try await service.client.send(
            "POST", "/sessions/2fa", form: ["recovery_code": alice.recoveryCodes[0]], sessionID: waiting)
        #expect(used.status == 200)
        // Her newest session, the one the users table names, waits for her second factor.
        let waitingInSource = try await service.login(alice)
        #expect(service.server.stop() == 0)
        let source = service.server.databasePath
        // A user removed behind authd's back: Alice is 2 in the source and will be 1 in the target,
        // so a secret carried unchanged would not open there.
        _ = try sqliteLines(source, "DELETE FROM users WHERE email = 'gone@example.com'")
        #expect(try sqliteLines(source, "SELECT user_id FROM authd_totp") == ["2"])
        let key = service.folder.url.appendingPathComponent("authd.key").path
        let wrongKey = service.folder.url.appendingPathComponent("wrong.key")
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: wrongKey)

        let folder = try TemporaryFolder()
        try await kind.with(in: folder) { target, rows in
            let unkeyed = try migrate(source, target)
            #expect(unkeyed.status == 1)
            #expect(
                unkeyed.output
                    == "Error: the source holds the second factor (TOTP) of 1 user, sealed under a key: give its key "
                    + "file with --secret-key-file (the one authd serve uses); nothing was copied\n")
            if kind == .sqlite { #expect(!FileManager.default.fileExists(atPath: target)) }
            let wrong = try migrate(source, target, key: wrongKey.path)
            #expect(wrong.status == 1)
            #expect(
                wrong.output
                    == "Error: the TOTP secret of alice@example.com does not open with --secret-key-file (or "
                    + "--previous-secret-key-file): give the key file the source was served with; nothing was copied\n")
            #expect(try rows() == [])

            let moved = try migrate(source, target, key: key)
            #expect(moved.status == 0, "\(moved.output)")
            #expect(moved.output.hasPrefix("copied 2 users ("), "\(moved.output)")
            #expect(moved.output.hasSuffix(", 1 second factor); 0 already present\n"), "\(moved.output)")
            let again = try migrate(source, target, key: key)
            #expect(
                again.output == "copied 0 users (0 sessions, 0 reset tokens, 0 second factors); 2 already present\n")

            let server = try AuthdProcess(arguments: ["--secret-key-file", key], database: target)
            let client = HTTPClient(base: server.baseURL)
            // Not carried: the target would not know it waits for the second factor.
            let notCarried = try await client.send("GET", "/profile", sessionID: waitingInSource)
            #expect(notCarried.json == ["message": "no valid session"])
            let login = try await client.send("POST", "/sessions", form: alice.credentials)
            #expect(login.json == ["email": alice.email, "message": "logged in", "second_factor": "totp"])
            let pending = try #require(HTTPClient.sessionID(from: login))
            #expect(try await client.send("GET", "/profile", sessionID: pending).status == 403)
            // The step the enrolment claimed in the source stays claimed, the used recovery code used.
            let replayed = try await client.send(
                "POST", "/sessions/2fa", form: ["code": alice.enrolmentCode], sessionID: pending)
            #expect(replayed.status == 401)
            let usedAgain = try await client.send(
                "POST", "/sessions/2fa", form: ["recovery_code": alice.recoveryCodes[0]], sessionID: pending)
            #expect(usedAgain.status == 401)
            let raised = try await client.send(
                "POST", "/sessions/2fa", form: ["code": try alice.laterCode()], sessionID: pending)
            #expect(raised.status == 200)
            let session = try #require(HTTPClient.sessionID(from: raised))
            #expect(try await client.send("GET", "/profile", sessionID: session).json == ["email": alice.email])
            for expected in [200, 401] {
                let next = try await service.login(alice, on: client)
                let recovered = try await client.send(
                    "POST", "/sessions/2fa", form: ["recovery_code": alice.recoveryCodes[1]], sessionID: next)
                #expect(recovered.status == expected)
            }
            // Bob, who has none, logs in with the password alone.
            let bobLogin = try await client.send("POST", "/sessions", form: bob.credentials)
            #expect(bobLogin.json == ["email": bob.email, "message": "logged in"])
            #expect(server.stop() == 0)
        }
    }

    @Test func aFileStillBeingServedIsCopiedWithItsLatestWrites() async throws {
        let folder = try TemporaryFolder()
        let source = folder.url.appendingPathComponent("live.db").path
        let server = try AuthdProcess(database: source)
        let client = HTTPClient(base: server.baseURL)
        for index in 0..<3 {
            #expect(
                try await client.send("POST", "/users", form: ["email": "live\(index)@example.com", "password": "pw"])
                    .status == 200)
        }
        // The rows are in the write-ahead log, not yet in the file: the read-only connection sees them.
        let result = try migrate(source, folder.url.appendingPathComponent("target.db").path)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output == "copied 3 users (0 sessions, 0 reset tokens, 0 second factors); 0 already present\n")
        #expect(
            try await client.send("POST", "/users", form: ["email": "after@example.com", "password": "pw"]).status
                == 200)
        #expect(server.stop() == 0)
    }

    @Test func aMissingSourceOrTheSourceAsTargetIsOneErrorLine() throws {
        let folder = try TemporaryFolder()
        let source = try seedFile(in: folder)
        let missing = folder.url.appendingPathComponent("none.db").path
        let absent = try migrate(missing, folder.url.appendingPathComponent("t.db").path)
        #expect(absent.status == 1)
        #expect(absent.output == "Error: no database at \(missing) (--from)\n")
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("t.db").path))
        let itself = try migrate(source, source)
        #expect(itself.status == 1)
        #expect(itself.output == "Error: --to \(source) is the --from file itself\n")
    }
}
