import Foundation
import Testing

/// `authd users list`, `show` and `reset-2fa` on users with a second factor, against the real
/// binary while a server runs on the same database.
@Suite struct SecondFactorAdminTests {
    @Test func listShowsWhoHasASecondFactorAndResetRemovesItWithAnAuditLine() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        for email in ["alice@example.com", "bob@example.com"] {
            let answer = try await client.send("POST", "/users", form: ["email": email, "password": "pw-\(email)"])
            #expect(answer.status == 200)
        }
        // Alice's enabled TOTP as the store keeps it (a sealed secret, code digests); Bob's pending.
        _ = try sqliteLines(
            server.databasePath,
            """
            INSERT INTO authd_totp VALUES (1, '0badc0de', 'aa', 1, 5), (2, '0badc0de', 'bb', 0, NULL);
            INSERT INTO authd_recovery_codes VALUES (1, 'd1'), (1, 'd2');
            """)
        let database = ["--database", server.databasePath]

        let listed = try run(AuthdProcess.binary.path, ["users", "list"] + database)
        #expect(listed.status == 0)
        let lines = listed.output.split(separator: "\n")
        #expect(lines.first { $0.contains("alice@") }?.hasSuffix("second factor") == true)
        #expect(lines.first { $0.contains("bob@") }?.contains("second factor") == false)
        let json = try run(AuthdProcess.binary.path, ["users", "list", "--json"] + database)
        let users = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
        #expect(users.map { $0["second_factor"] as? Bool } == [true, false])
        let shown = try run(AuthdProcess.binary.path, ["users", "show", "alice@example.com"] + database)
        #expect(shown.output.contains("second factor: TOTP"))

        let reset = try run(AuthdProcess.binary.path, ["users", "reset-2fa", "Alice@Example.com"] + database)
        #expect(reset.status == 0, "\(reset.output)")
        #expect(reset.output.contains("removed the second factor of alice@example.com"))
        #expect(reset.output.contains(#""audit":"2fa_reset_by_admin","user_id":1"#))
        #expect(try sqliteLines(server.databasePath, "SELECT count(*) FROM authd_totp WHERE user_id = 1") == ["0"])
        #expect(try sqliteLines(server.databasePath, "SELECT count(*) FROM authd_recovery_codes") == ["0"])
        #expect(try sqliteLines(server.databasePath, "SELECT count(*) FROM authd_totp") == ["1"])

        let again = try run(AuthdProcess.binary.path, ["users", "reset-2fa", "alice@example.com"] + database)
        #expect(again.status == 0)
        #expect(again.output == "alice@example.com had no second factor\n")
        let nobody = try run(AuthdProcess.binary.path, ["users", "reset-2fa", "nobody@example.com"] + database)
        #expect(nobody.status == 1)
        #expect(nobody.output == "Error: no user with email nobody@example.com\n")
    }

    @Test func resettingTheSecondFactorEndsTheSessionsThatWaitForIt() async throws {
        try Prerequisite.require(.pyotp, .sqlite3)
        let service = try TOTPService()
        let user = try await service.enrolledUser("carol@example.com")
        let waiting = try await service.login(user)
        #expect(try await service.client.send("GET", "/profile", sessionID: waiting).status == 403)

        let reset = try run(
            AuthdProcess.binary.path, ["users", "reset-2fa", user.email, "--database", service.server.databasePath])
        #expect(reset.status == 0, "\(reset.output)")
        #expect(reset.output.contains("removed the second factor of carol@example.com; ended 1 session"))
        #expect(
            reset.output.contains(#""audit":"session_ended","user_id":1,"address":"","reason":"revoked","session":""#))
        // Not left at 403 for good: ended, and the password alone now logs in.
        let ended = try await service.client.send("GET", "/profile", sessionID: waiting)
        #expect(ended.json == ["message": "no valid session"])
        let login = try await service.client.send("POST", "/sessions", form: user.credentials)
        #expect(login.json == ["email": user.email, "message": "logged in"])
        let session = try #require(HTTPClient.sessionID(from: login))
        #expect(try await service.client.send("GET", "/profile", sessionID: session).json == ["email": user.email])
    }
}
