import Foundation
import Testing

/// TOTP as a second factor against the real binary, with `pyotp` computing the codes: enrolment,
/// the password login that waits for the code, replay, the ±1 step window, concurrent use of one
/// code, throttling, recovery codes, turning it off, and what the database file holds.
@Suite struct TOTPFlowTests {
    init() throws {
        try Prerequisite.require(.pyotp, .sqlite3)
    }

    @Test func theProfileIsRefusedUntilTheCodeThenTheRaisedSessionHasANewID() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("alice@example.com")
        let login = try await service.client.send("POST", "/sessions", form: user.credentials)
        #expect(login.status == 200)
        #expect(login.json == ["email": user.email, "message": "logged in", "second_factor": "totp"])
        let waiting = try #require(HTTPClient.sessionID(from: login))

        let profile = try await service.client.send("GET", "/profile", sessionID: waiting)
        #expect(profile.status == 403)
        #expect(profile.json == ["message": "second factor required"])
        #expect(try await service.client.send("GET", "/verify", sessionID: waiting).status == 403)
        let enrolAgain = try await service.client.send(
            "POST", "/2fa/totp", form: ["password": user.password], sessionID: waiting)
        #expect(enrolAgain.status == 403)

        // The enrolment's code: its step is used up, on any session.
        let replayed = try await service.client.send(
            "POST", "/sessions/2fa", form: ["code": user.enrolmentCode], sessionID: waiting)
        #expect(replayed.status == 401)
        #expect(replayed.json == ["message": "wrong code"])

        let next = try await user.laterCode()
        let raised = try await service.client.send("POST", "/sessions/2fa", form: ["code": next], sessionID: waiting)
        #expect(raised.status == 200)
        #expect(raised.json == ["email": user.email, "message": "second factor accepted"])
        #expect(raised.header("Cache-Control") == "no-store")
        let session = try #require(HTTPClient.sessionID(from: raised))
        #expect(session != waiting)
        #expect(
            try await service.client.send("GET", "/profile", sessionID: waiting).json == ["message": "no valid session"]
        )
        let allowed = try await service.client.send("GET", "/profile", sessionID: session)
        #expect(allowed.status == 200)
        #expect(allowed.json == ["email": user.email])
        #expect(try await service.client.send("GET", "/verify", sessionID: session).status == 200)
        let notWaiting = try await service.client.send(
            "POST", "/sessions/2fa", form: ["code": next], sessionID: session)
        #expect(notWaiting.status == 409)

        // The same code on a new session: refused.
        let again = try await service.login(user)
        let reused = try await service.client.send("POST", "/sessions/2fa", form: ["code": next], sessionID: again)
        #expect(reused.status == 401)
        #expect(await eventually(within: 10) { service.server.log.contains(#""audit":"2fa_enabled""#) })
        #expect(await eventually(within: 10) { service.server.log.contains(#""audit":"2fa_failed""#) })
    }

    @Test func codesOneStepAwayWorkAndTwoStepsAwayDoNot() async throws {
        let service = try TOTPService()
        let user = try await service.pendingUser("bob@example.com")
        // Each code is computed for the moment of its request, a few seconds inside one step.
        for offset in [-60, 60] {
            let farAway = try await PyOTP.code(user.secret, at: PyOTP.safeNow(needing: 5) + offset)
            let refused = try await service.client.send(
                "PUT", "/2fa/totp", form: ["code": farAway], sessionID: user.session)
            #expect(refused.status == 401, "two steps away: \(offset) s")
        }
        let before = try await PyOTP.code(user.secret, at: PyOTP.safeNow(needing: 5) - 30)
        let enabled = try await service.client.send("PUT", "/2fa/totp", form: ["code": before], sessionID: user.session)
        #expect(enabled.status == 200, "the step before")
        let waiting = try await service.login(user)
        let after = try await PyOTP.code(user.secret, at: PyOTP.safeNow(needing: 5) + 30)
        let raised = try await service.client.send("POST", "/sessions/2fa", form: ["code": after], sessionID: waiting)
        #expect(raised.status == 200, "the step after")
    }

    @Test func ofConcurrentSubmissionsOfOneCodeExactlyOneWins() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("carol@example.com")
        let waiting = try await service.login(user)
        let code = try await user.laterCode()
        let client = service.client
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await client.send("POST", "/sessions/2fa", form: ["code": code], sessionID: waiting).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
        #expect(Set(statuses).isSubset(of: [200, 401, 403, 429]), "\(statuses)")
    }

    @Test func wrongCodesCountAgainstTheLoginLimits() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("dave@example.com")
        let waiting = try await service.login(user)
        let right = try await user.laterCode()
        let wrong = right == "000000" ? "000001" : "000000"
        for _ in 1...5 {
            let refused = try await service.client.send(
                "POST", "/sessions/2fa", form: ["code": wrong], sessionID: waiting)
            #expect(refused.status == 401)
        }
        let throttled = try await service.client.send(
            "POST", "/sessions/2fa", form: ["code": right], sessionID: waiting)
        #expect(throttled.status == 429)
        #expect(throttled.header("Retry-After").flatMap { Int($0) }.map { $0 > 0 } == true)
        // The password login of the same pair is blocked too: one limit.
        let login = try await service.client.send("POST", "/sessions", form: user.credentials)
        #expect(login.status == 429)
    }

    @Test func eachRecoveryCodeWorksOnce() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("erin@example.com")
        #expect(user.recoveryCodes.count == 10)
        #expect(Set(user.recoveryCodes).count == 10)
        let first = try await service.login(user)
        let used = try await service.client.send(
            "POST", "/sessions/2fa", form: ["recovery_code": user.recoveryCodes[0]], sessionID: first)
        #expect(used.status == 200)
        let second = try await service.login(user)
        let again = try await service.client.send(
            "POST", "/sessions/2fa", form: ["recovery_code": user.recoveryCodes[0]], sessionID: second)
        #expect(again.status == 401)
        // Typed without dashes, in capitals: the same code.
        let typed = user.recoveryCodes[1].replacingOccurrences(of: "-", with: "").uppercased()
        let other = try await service.client.send(
            "POST", "/sessions/2fa", form: ["recovery_code": typed], sessionID: second)
        #expect(other.status == 200)
        #expect(service.server.log.components(separatedBy: #""audit":"recovery_code_used""#).count == 3)
    }

    @Test func turningItOffNeedsARaisedSessionAndThePassword() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("frank@example.com")
        // The enrolling session gave the code: it may turn it off.
        let wrong = try await service.client.send(
            "DELETE", "/2fa/totp", form: ["password": "not-it"], sessionID: user.session)
        #expect(wrong.status == 401)
        let missing = try await service.client.send("DELETE", "/2fa/totp", form: ["x": "y"], sessionID: user.session)
        #expect(missing.status == 400)
        let off = try await service.client.send(
            "DELETE", "/2fa/totp", form: ["password": user.password], sessionID: user.session)
        #expect(off.status == 200)
        #expect(off.json == ["message": "second factor disabled"])
        #expect(await eventually(within: 10) { service.server.log.contains(#""audit":"2fa_disabled""#) })
        let login = try await service.client.send("POST", "/sessions", form: user.credentials)
        #expect(login.json == ["email": user.email, "message": "logged in"])
        let session = try #require(HTTPClient.sessionID(from: login))
        #expect(try await service.client.send("GET", "/profile", sessionID: session).status == 200)
    }

    @Test func aWaitingSessionCannotTurnItOff() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("gina@example.com")
        let waiting = try await service.login(user)
        let refused = try await service.client.send(
            "DELETE", "/2fa/totp", form: ["password": user.password], sessionID: waiting)
        #expect(refused.status == 403)
        #expect(refused.json == ["message": "second factor required"])
    }

    @Test func theDatabaseFileHoldsNeitherTheSecretNorARecoveryCode() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("hank@example.com")
        let raw = try run(
            "/usr/bin/env",
            ["python3", "-c", "import base64,sys; print(base64.b32decode(sys.argv[1]).hex())", user.secret])
        let hex = raw.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hex.count == 40)
        let dump = try run("/usr/bin/sqlite3", [service.server.databasePath, ".dump"])
        #expect(dump.status == 0)
        #expect(dump.output.contains("authd_totp"))
        let text = dump.output.lowercased()
        #expect(!text.contains(user.secret.lowercased()))
        #expect(!text.contains(hex))
        for code in user.recoveryCodes {
            #expect(!text.contains(code))
            #expect(!text.contains(code.replacingOccurrences(of: "-", with: "")))
        }
    }

    @Test func aSealedSecretMovedToAnotherUsersRowDoesNotOpen() async throws {
        let service = try TOTPService()
        let alice = try await service.enrolledUser("ivy@example.com")
        let bob = try await service.registered("jack@example.com")
        _ = try sqliteLines(
            service.server.databasePath,
            """
            INSERT INTO authd_totp (user_id, key_id, sealed_secret, enabled, last_step)
            SELECT 2, key_id, sealed_secret, 1, NULL FROM authd_totp WHERE user_id = 1;
            """)
        let waiting = try await service.login(bob)
        let code = try await alice.laterCode()
        let refused = try await service.client.send("POST", "/sessions/2fa", form: ["code": code], sessionID: waiting)
        #expect(refused.status == 401)
        // The log comes through a pipe: its line may arrive a moment after the answer.
        #expect(await eventually(within: 10) { service.server.log.contains(#""reason":"no_second_factor""#) })
        // Alice's own row still opens with the same code.
        let hers = try await service.login(alice)
        #expect(
            try await service.client.send("POST", "/sessions/2fa", form: ["code": code], sessionID: hers).status == 200)
    }

    @Test func aSessionTheSeedsServiceWroteDoesNotPassTheSecondFactor() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("dave@example.com")
        // As the seed's service logs in, sharing the file: a raw uuid4 in the user's column.
        let seedSession = UUID().uuidString.lowercased()
        _ = try sqliteLines(
            service.server.databasePath, "UPDATE users SET session_id = '\(seedSession)' WHERE email = '\(user.email)'")
        let profile = try await service.client.send("GET", "/profile", sessionID: seedSession)
        #expect(profile.status == 403)
        #expect(profile.json == ["message": "no valid session"])
        #expect(try await service.client.send("GET", "/verify", sessionID: seedSession).status == 401)

        // A user without a second factor keeps using a seed session, as always.
        let other = try await service.registered("erin@example.com")
        let otherSeedSession = UUID().uuidString.lowercased()
        _ = try sqliteLines(
            service.server.databasePath,
            "UPDATE users SET session_id = '\(otherSeedSession)' WHERE email = '\(other.email)'")
        let theirs = try await service.client.send("GET", "/profile", sessionID: otherSeedSession)
        #expect(theirs.json == ["email": other.email])
    }
}

/// An authd with a `--secret-key-file`, and the steps of a TOTP user's life over its API.
struct TOTPService {
    let folder: TemporaryFolder
    let server: AuthdProcess
    let client: HTTPClient

    init() throws {
        folder = try TemporaryFolder()
        let key = folder.url.appendingPathComponent("authd.key")
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: key)
        server = try AuthdProcess(arguments: ["--secret-key-file", key.path])
        client = HTTPClient(base: server.baseURL)
    }

    /// A user as the tests know it.
    struct User {
        var email: String
        var password: String
        var session: String
        var secret = ""
        var enrolmentCode = ""
        var enrolledAt = 0
        var recoveryCodes: [String] = []
        var credentials: [String: String] { ["email": email, "password": password] }

        /// A code of a step after the enrolment's (used up): the next step's while the server may
        /// still be in the enrolment's, else the current one's. Under load a test may run minutes
        /// after its enrolment, past the ±1 step window of the enrolment's next step.
        func laterCode() async throws -> String {
            try await PyOTP.code(secret, at: max(PyOTP.safeNow(needing: 5), enrolledAt + 30))
        }
    }

    /// Registered and logged in (no second factor yet).
    func registered(_ email: String) async throws -> User {
        let password = "pw-" + email
        #expect(try await client.send("POST", "/users", form: ["email": email, "password": password]).status == 200)
        let login = try await client.send("POST", "/sessions", form: ["email": email, "password": password])
        return User(email: email, password: password, session: try #require(HTTPClient.sessionID(from: login)))
    }

    /// Registered, logged in, with a pending secret (`POST /2fa/totp`).
    func pendingUser(_ email: String) async throws -> User {
        var user = try await registered(email)
        let wrong = try await client.send("POST", "/2fa/totp", form: ["password": "nope"], sessionID: user.session)
        #expect(wrong.status == 401)
        let begun = try await client.send(
            "POST", "/2fa/totp", form: ["password": user.password], sessionID: user.session)
        #expect(begun.status == 200)
        #expect(begun.header("Cache-Control") == "no-store")
        user.secret = try #require(begun.json["secret"])
        #expect(begun.json["uri"]?.hasPrefix("otpauth://totp/") == true)
        #expect(begun.json["qr"]?.hasPrefix("<svg") == true || begun.json["qr"]?.hasPrefix("<?xml") == true)
        return user
    }

    /// With TOTP on: enrolled with the current step's code, recovery codes kept.
    func enrolledUser(_ email: String) async throws -> User {
        var user = try await pendingUser(email)
        user.enrolledAt = await PyOTP.safeNow(needing: 10)
        user.enrolmentCode = try PyOTP.code(user.secret, at: user.enrolledAt)
        let confirmed = try await client.send(
            "PUT", "/2fa/totp", form: ["code": user.enrolmentCode], sessionID: user.session)
        #expect(confirmed.status == 200)
        let object = try JSONSerialization.jsonObject(with: confirmed.body) as? [String: [String]]
        user.recoveryCodes = try #require(object?["recovery_codes"])
        return user
    }

    /// A password login (through `other`, another server's client, when given): the session id,
    /// which waits for the second factor when the user has one.
    func login(_ user: User, on other: HTTPClient? = nil) async throws -> String {
        let login = try await (other ?? client).send("POST", "/sessions", form: user.credentials)
        #expect(login.status == 200)
        return try #require(HTTPClient.sessionID(from: login))
    }
}
