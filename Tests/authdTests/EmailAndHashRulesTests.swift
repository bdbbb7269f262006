import Foundation
import Testing

/// The email rules and the stored-hash rules against the real binary, with databases made the way
/// the seed's service makes them (Python's sqlite3 and bcrypt, `Resources/seed_store.py`). The
/// timing of unknown emails is in `LoginTimingTests`.
@Suite struct EmailAndHashRulesTests {
    @Test func fiveSpellingsOfOneAddressAreOneAccountAndNonAddressesAre400() async throws {
        let server = try AuthdProcess(arguments: ["--password-min-length", "8"])
        let client = HTTPClient(base: server.baseURL)
        let created = try await client.send(
            "POST", "/users", form: ["email": "victim@x.test", "password": "password1"])
        #expect(created.status == 200 && created.json == ["email": "victim@x.test", "message": "user created"])
        let spellings = ["victim@x.test", "VICTIM@x.test", "Victim@X.test", " victim@x.test", "victim@x.test "]
        for spelling in spellings {
            let again = try await client.send("POST", "/users", form: ["email": spelling, "password": "password2"])
            #expect(again.status == 400 && again.json == ["message": "email already registered"], "\(spelling)")
        }
        for spelling in spellings {
            let login = try await client.send("POST", "/sessions", form: ["email": spelling, "password": "password1"])
            #expect(
                login.status == 200 && login.json == ["email": "victim@x.test", "message": "logged in"], "\(spelling)")
        }

        // NFD in, NFC stored and answered; the NFC spelling is then the same account.
        let decomposed = try await client.send(
            "POST", "/users", form: ["email": "jose\u{301}@x.test", "password": "password1"])
        #expect(decomposed.status == 200)
        #expect(decomposed.body.range(of: Data("jos\u{E9}@x.test".utf8)) != nil)
        let precomposed = try await client.send(
            "POST", "/users", form: ["email": "jos\u{E9}@x.test", "password": "password1"])
        #expect(precomposed.status == 400 && precomposed.json == ["message": "email already registered"])
        #expect(server.stop() == 0)
        #expect(
            try sqliteLines(server.databasePath, "SELECT hex(email) FROM users ORDER BY id") == [
                "76696374696D40782E74657374", "6A6F73C3A940782E74657374",
            ])
    }

    @Test func whatCannotBeAnEmailAndATooShortPasswordAre400WithAClearMessage() async throws {
        let server = try AuthdProcess(arguments: ["--password-min-length", "8"])
        let client = HTTPClient(base: server.baseURL)
        let control = "email must not contain control or invisible formatting characters"
        for (email, message) in [
            (String(repeating: "a", count: 10_000) + "@x.test", "email longer than 250 bytes"),
            (String(repeating: "a", count: 60_000) + "@x.test", "email longer than 250 bytes"),
            ("victim.x.test", "email must contain exactly one @"),
            ("vic tim@x.test", "email must not contain white space"),
            ("vic\u{0}tim@x.test", control), ("vic\r\ntim@x.test", control), ("vic\u{200B}tim@x.test", control),
        ] {
            let answer = try await client.send("POST", "/users", form: ["email": email, "password": "password1"])
            #expect(answer.status == 400 && answer.json == ["message": message], "\(email.prefix(20))")
        }
        let short = try await client.send("POST", "/users", form: ["email": "a@x.test", "password": "seven77"])
        #expect(short.status == 400 && short.json == ["message": "password shorter than 8 characters"])
        #expect(server.stop() == 0)
        #expect(try sqliteLines(server.databasePath, "SELECT count(*) FROM users") == ["0"])
    }

    @Test func aPasswordSignedUpInNFCLogsInTypedInNFD() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        let created = try await client.send("POST", "/users", form: ["email": "n@x.test", "password": "Jos\u{E9}!"])
        #expect(created.status == 200)
        let login = try await client.send("POST", "/sessions", form: ["email": "n@x.test", "password": "Jose\u{301}!"])
        #expect(login.status == 200 && login.json == ["email": "n@x.test", "message": "logged in"])
    }

    @Test func aPasswordOverBcryptsBytesIsRefusedSayingBytesNotCharacters() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        // 64 kanji: 64 characters, 192 bytes of UTF-8.
        let kanji = String(repeating: "\u{6F22}", count: 64)
        let refused = try await client.send("POST", "/users", form: ["email": "k@x.test", "password": kanji])
        #expect(refused.status == 400)
        let message = try #require(refused.json["message"])
        #expect(message.contains("72 bytes") && message.contains("not characters"), "\(message)")
        // 24 kanji are 72 bytes: the most there is room for.
        let fits = String(repeating: "\u{6F22}", count: 24)
        #expect(try await client.send("POST", "/users", form: ["email": "k@x.test", "password": fits]).status == 200)
    }

    @Test func aSeedDatabaseWithCaseDuplicatesKeepsWorkingAndUpgradedHashesStillVerifyInPython() async throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("seed.db").path
        try seedStore([
            "create", path, "Dup@x.test", "upper-pw", "5", "dup@x.test", "lower-pw", "4", "heavy@x.test", "heavy-pw",
            "7",
        ])
        let before = try sqliteLines(path, "SELECT hex(hashed_password) FROM users ORDER BY id")

        let server = try AuthdProcess(arguments: ["--bcrypt-cost", "4", "--bcrypt-max-cost", "6"], database: path)
        let client = HTTPClient(base: server.baseURL)
        let upper = try await client.send("POST", "/sessions", form: ["email": "Dup@x.test", "password": "upper-pw"])
        #expect(upper.status == 200 && upper.json["email"] == "Dup@x.test")
        let lower = try await client.send("POST", "/sessions", form: ["email": "dup@x.test", "password": "lower-pw"])
        #expect(lower.status == 200 && lower.json["email"] == "dup@x.test")
        // Two stored emails equal this one ignoring case and neither is it: no match.
        #expect(
            try await client.send("POST", "/sessions", form: ["email": "DUP@x.test", "password": "upper-pw"]).status
                == 401)
        let taken = try await client.send("POST", "/users", form: ["email": "DUP@x.test", "password": "pw"])
        #expect(taken.status == 400 && taken.json == ["message": "email already registered"])
        // Above --bcrypt-max-cost: refused as a wrong password would be, and one line for the operator.
        #expect(
            try await client.send("POST", "/sessions", form: ["email": "heavy@x.test", "password": "heavy-pw"]).status
                == 401)
        #expect(server.stop() == 0)
        let warnings = server.log.split(separator: "\n").filter { $0.contains("bcrypt cost above the maximum") }
        #expect(warnings.count == 1 && warnings.first?.contains("cost=7") == true, "\(server.log)")

        // Rows are never rewritten, but for the upgraded hash of the cost-5 user.
        #expect(
            try sqliteLines(path, "SELECT email FROM users ORDER BY id") == [
                "Dup@x.test", "dup@x.test", "heavy@x.test",
            ])
        let after = try sqliteLines(path, "SELECT hex(hashed_password) FROM users ORDER BY id")
        #expect(after[0] != before[0] && after[1] == before[1] && after[2] == before[2])
        #expect(
            try sqliteLines(path, "SELECT typeof(hashed_password) FROM users ORDER BY id") == ["blob", "blob", "blob"])
        // The seed's own check, on the bytes authd wrote: the service that made the file still lets them in.
        #expect(try seedStore(["check", path, "Dup@x.test", "upper-pw"]).contains("$2b$04$ ok"))
        #expect(try seedStore(["check", path, "dup@x.test", "lower-pw"]).contains("$2b$04$ ok"))
    }

    @Test func aMaximumCostBelowTheCostStopsTheStartWithAMessage() throws {
        let folder = try TemporaryFolder()
        let (status, output) = try run(
            AuthdProcess.binary.path,
            [
                "--port", "0", "--database", folder.url.appendingPathComponent("a.db").path,
                "--bcrypt-cost", "10", "--bcrypt-max-cost", "9",
            ])
        #expect(status == 1)
        #expect(
            output.contains("--bcrypt-max-cost 9 must be within 4...31 and at least the bcrypt cost 10"), "\(output)")
    }
}
