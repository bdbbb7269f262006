import Foundation
import Testing

/// Reset tokens by mail, end to end: the real binary with `--reset-delivery smtp://…` against a
/// real SMTP server (aiosmtpd) on loopback, started and stopped by its PID for each test. One test
/// at a time: each runs two processes, and the rest of the run has time bounds of its own.
@Suite(.serialized) struct ResetMailTests {
    private static let email = "bob@example.com"
    private static let password = "b4l0u"
    private static let uuid = #"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"#

    init() throws {
        try Prerequisite.require(.aiosmtpd, .sqlite3)
    }

    // Processes start, and stop, on a thread of their own: their blocking waits must not hold the
    // few threads every async test of the run shares.

    private func authd(relayPort: Int, database: String? = nil, _ extra: [String] = []) async throws -> AuthdProcess {
        try await onOwnThread {
            try AuthdProcess(
                arguments: [
                    "--reset-delivery", "smtp://127.0.0.1:\(relayPort)", "--mail-from", "noreply@app.test",
                    "--public-metrics",
                ]
                    + extra,
                database: database)
        }
    }

    private func startRelay(_ folder: URL, port: Int = 0, mode: String = "accept") async throws -> SMTPRelayProcess {
        try await onOwnThread { try SMTPRelayProcess(folder: folder, port: port, mode: mode) }
    }

    private func stop(_ server: AuthdProcess) async throws -> Int32? {
        try await onOwnThread { server.stop() }
    }

    private func register(_ client: HTTPClient, _ email: String = email) async throws {
        #expect(
            try await client.send("POST", "/users", form: ["email": email, "password": Self.password]).status == 200)
    }

    /// The reset token a mail carries on a line of its own, or in its link (not the Message-ID's uuid).
    private func mailedToken(in mail: String) -> String? {
        for pattern in [#"\r\n"# + Self.uuid + #"\r\n"#, "token=" + Self.uuid] {
            if let range = mail.range(of: pattern, options: .regularExpression) {
                return mail[range].range(of: Self.uuid, options: .regularExpression).map { String(mail[range][$0]) }
            }
        }
        return nil
    }

    /// Whether the metric reaches `value` within `seconds` (the delivery thread counts after the relay's 250).
    private func metric(_ name: String, _ client: HTTPClient, reaches value: Int, within seconds: Double = 10)
        async throws -> Bool
    {
        let limit = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < limit {
            if try await metric(name, client) == value { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await metric(name, client) == value
    }

    /// A metric's value on the page, 0 when absent.
    private func metric(_ name: String, _ client: HTTPClient) async throws -> Int {
        let page = String(decoding: try await client.send("GET", "/metrics").body, as: UTF8.self)
        let line = page.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
    }

    @Test func aRegisteredAndAnUnknownEmailLeaveTheSamePublicTrace() async throws {
        let folder = try TemporaryFolder()
        let relay = try await startRelay(folder.url)
        let server = try await onOwnThread {
            try AuthdProcess(arguments: ["--reset-delivery", "smtp://127.0.0.1:\(relay.port)"])
        }
        let client = HTTPClient(base: server.baseURL)
        try await register(client)
        let registered = try await client.send("POST", "/reset_password", form: ["email": Self.email])
        let unknown = try await client.send("POST", "/reset_password", form: ["email": "nobody@example.com"])
        #expect(await relay.waitForMails(1))
        #expect(registered.status == unknown.status)
        #expect(registered.json["message"] == unknown.json["message"])
        #expect(Set(registered.headers.keys) == Set(unknown.headers.keys))
        // The metrics page counts the mail: by default it is no public page at all, under any spelling.
        for path in ["/metrics", "/metrics/", "/openapi.json"] {
            #expect(try await client.send("GET", path).status == 404, "\(path)")
        }
    }

    @Test func aBurstOfResetRequestsSendsOneMailWhoseTokenStillWorks() async throws {
        let folder = try TemporaryFolder()
        let relay = try await startRelay(folder.url)
        // Five clients behind a trusted proxy, as in the audit: the limit is the account's, whoever asks.
        let server = try await authd(relayPort: relay.port, ["--trusted-proxy", "127.0.0.1"])
        let client = HTTPClient(base: server.baseURL)
        try await register(client)
        var answers: [HTTPAnswer] = []
        for index in 0..<10 {
            let spelling = index % 2 == 0 ? Self.email : Self.email.uppercased()
            answers.append(
                try await client.send(
                    "POST", "/reset_password", form: ["email": spelling],
                    headers: ["X-Forwarded-For": "198.51.100.\(index % 5 + 1)"]))
        }
        // Refused or not, every request answers alike.
        #expect(answers.allSatisfy { $0.status == 200 && $0.json["message"] == "reset instructions sent" })
        #expect(await relay.waitForMails(1))
        // Give any further mail the time to arrive: none does.
        try await Task.sleep(for: .seconds(1))
        #expect(try await metric("authd_reset_mails_sent_total", client) == 1)
        #expect(relay.mails.count == 1)
        let mail = try #require(relay.mails.first)
        let token = try #require(mailedToken(in: mail))
        let updated = try await client.send(
            "PUT", "/reset_password", form: ["email": Self.email, "reset_token": token, "new_password": "n3w-one"])
        #expect(updated.status == 200)
    }

    @Test func theMailedTokenResetsThePasswordAndLeavesNoTraceInTheDatabase() async throws {
        let folder = try TemporaryFolder()
        let relay = try await startRelay(folder.url)
        let server = try await authd(relayPort: relay.port)
        let client = HTTPClient(base: server.baseURL)
        try await register(client)

        let asked = try await client.send("POST", "/reset_password", form: ["email": Self.email])
        #expect(asked.status == 200)
        #expect(asked.json == ["email": Self.email, "message": "reset instructions sent"])
        #expect(await relay.waitForMails(1))
        let mail = try #require(relay.mails.first)
        for header in [
            "From: noreply@app.test", "To: bob@example.com", "Subject: Reset your password",
            "X-Envelope-To: bob@example.com",
        ] {
            #expect(mail.contains(header + "\r\n"), "\(mail)")
        }
        #expect(
            mail.range(
                of: #"\r\nDate: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000\r\n"#,
                options: .regularExpression) != nil)
        #expect(mail.range(of: #"\r\nMessage-ID: <[^>@]+@app\.test>\r\n"#, options: .regularExpression) != nil)
        let token = try #require(mailedToken(in: mail))
        #expect(!server.log.contains(token))

        let updated = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": Self.email, "reset_token": token, "new_password": "t4rt1fl3tt3",
            ])
        #expect(updated.status == 200)
        #expect(
            try await client.send("POST", "/sessions", form: ["email": Self.email, "password": "t4rt1fl3tt3"]).status
                == 200)
        #expect(try await metric("authd_reset_mails_sent_total", client, reaches: 1))
        #expect(try await metric("authd_reset_outbox_depth", client, reaches: 0))
        #expect(
            await eventually(within: 5) { server.log.contains(#""audit":"reset_mail_sent","user_id":1"#) },
            "\(server.log)")

        // The outbox row went with the mail; the database never held the token but as its digest.
        let database = server.databasePath
        let dump = try await onOwnThread { try run("/usr/bin/sqlite3", [database, ".dump"]).output }
        #expect(dump.contains("CREATE TABLE authd_outbox"))
        let outbox = try await onOwnThread {
            try run("/usr/bin/sqlite3", [database, "SELECT count(*) FROM authd_outbox"]).output
        }
        #expect(outbox == "0\n")
        #expect(!dump.contains(token))
        #expect(try await stop(server) == 0)
    }

    /// By mail a reset is the owner's (ASVS 3.3.3): it ends every session of the user.
    @Test func aPasswordResetByMailEndsEverySession() async throws {
        let folder = try TemporaryFolder()
        let relay = try await startRelay(folder.url)
        let server = try await authd(relayPort: relay.port, ["--sessions-per-user", "3"])
        let client = HTTPClient(base: server.baseURL)
        try await register(client)
        var sessions: [String] = []
        for _ in 0..<2 {
            let login = try await client.send(
                "POST", "/sessions", form: ["email": Self.email, "password": Self.password])
            sessions.append(try #require(HTTPClient.sessionID(from: login), "\(login.status)"))
        }
        _ = try await client.send("POST", "/reset_password", form: ["email": Self.email])
        #expect(await relay.waitForMails(1))
        let mail = try #require(relay.mails.first)
        let token = try #require(mailedToken(in: mail))
        let updated = try await client.send(
            "PUT", "/reset_password", form: ["email": Self.email, "reset_token": token, "new_password": "n3w"])
        #expect(updated.status == 200)
        for session in sessions {
            #expect(try await client.send("GET", "/profile", sessionID: session).status == 403)
        }
        #expect(server.log.contains(#""reason":"password_changed""#))
    }

    @Test func knownAndUnknownEmailsGetTheSameAnswerAndOnlyTheKnownOneAMail() async throws {
        let folder = try TemporaryFolder()
        let relay = try await startRelay(folder.url)
        let server = try await authd(
            relayPort: relay.port, ["--reset-link", "https://app.test/reset?token={token}&email={email}"])
        let client = HTTPClient(base: server.baseURL)
        try await register(client)

        let unknown = try await client.send("POST", "/reset_password", form: ["email": "nobody@example.com"])
        let known = try await client.send("POST", "/reset_password", form: ["email": " Bob@Example.COM"])
        #expect(known.status == 200 && unknown.status == 200)
        #expect(known.json == ["email": "Bob@example.com", "message": "reset instructions sent"])
        #expect(unknown.json == ["email": "nobody@example.com", "message": "reset instructions sent"])
        #expect(Set(known.headers.keys.map { $0.lowercased() }) == Set(unknown.headers.keys.map { $0.lowercased() }))
        #expect(known.body.count - "Bob@example.com".utf8.count == unknown.body.count - "nobody@example.com".utf8.count)
        // A header-injection attempt is not an email: refused before anything is looked up or mailed.
        let injected = try await client.send(
            "POST", "/reset_password", form: ["email": "bob@example.com\r\nBcc: eve@evil.test"])
        #expect(injected.status == 400)

        #expect(await relay.waitForMails(1))
        try await Task.sleep(for: .seconds(1))
        #expect(relay.mails.count == 1)
        #expect(relay.attempts.filter { $0.hasPrefix("RCPT") } == ["RCPT bob@example.com accept"])
        let mail = try #require(relay.mails.first)
        #expect(!mail.contains("evil.test"))
        let link = try #require(
            mail.range(
                of: #"https://app\.test/reset\?token="# + Self.uuid + #"&email=bob%40example\.com\r\n"#,
                options: .regularExpression))
        let token = try #require(mailedToken(in: String(mail[link])))
        let updated = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": Self.email, "reset_token": token, "new_password": "t4rt1fl3tt3",
            ])
        #expect(updated.status == 200)
    }

    @Test func aRequestAcceptedWhileTheRelayIsDownIsMailedAfterKillNineAndRestarts() async throws {
        let folder = try TemporaryFolder()
        let relayPort = try freePort()
        let database = folder.url.appendingPathComponent("authd.db").path
        let first = try await authd(relayPort: relayPort, database: database)
        let client = HTTPClient(base: first.baseURL)
        try await register(client)
        #expect(try await client.send("POST", "/reset_password", form: ["email": Self.email]).status == 200)
        #expect(await eventually(within: 10) { first.log.contains("reset mail deferred") }, "\(first.log)")
        kill(first.process.processIdentifier, SIGKILL)
        _ = await eventually(within: 10) { !first.process.isRunning }
        #expect(first.process.terminationReason == .uncaughtSignal)

        let relay = try await startRelay(folder.url.appendingPathComponent("relay"), port: relayPort)
        let second = try await authd(relayPort: relay.port, database: database)
        #expect(await relay.waitForMails(1, seconds: 10), "\(second.log)")
        let token = try #require(relay.mails.first.flatMap(mailedToken(in:)))
        let again = HTTPClient(base: second.baseURL)
        let updated = try await again.send(
            "PUT", "/reset_password",
            form: [
                "email": Self.email, "reset_token": token, "new_password": "t4rt1fl3tt3",
            ])
        #expect(updated.status == 200)
        #expect(try await stop(second) == 0)
    }

    @Test func aRelayAnswering451IsTriedAgainUntilItAccepts() async throws {
        let folder = try TemporaryFolder()
        let relay = try await startRelay(folder.url, mode: "451-once")
        let server = try await authd(relayPort: relay.port)
        let client = HTTPClient(base: server.baseURL)
        try await register(client)
        #expect(try await client.send("POST", "/reset_password", form: ["email": Self.email]).status == 200)
        #expect(await relay.waitForMails(1, seconds: 15), "\(server.log)")
        #expect(relay.attempts.filter { $0.hasPrefix("DATA") } == ["DATA 451", "DATA 250"])
        #expect(try await metric("authd_reset_mails_retried_total", client) == 1)
        #expect(try await metric("authd_reset_mails_sent_total", client, reaches: 1))
        #expect(server.log.contains("reset mail deferred"))
    }

    @Test func aRelayAnswering550IsLoggedAndNeverTriedAgain() async throws {
        let folder = try TemporaryFolder()
        let relay = try await startRelay(folder.url, mode: "550")
        let server = try await authd(relayPort: relay.port)
        let client = HTTPClient(base: server.baseURL)
        try await register(client)
        #expect(try await client.send("POST", "/reset_password", form: ["email": Self.email]).status == 200)
        #expect(
            await eventually(within: 10) { server.log.contains(#""audit":"reset_mail_failed","user_id":1"#) },
            "\(server.log)")
        #expect(server.log.contains("reset mail given up") && server.log.contains("relay_refused"))
        // Longer than the first retry would wait: still one attempt.
        try await Task.sleep(for: .seconds(3))
        #expect(relay.attempts == ["RCPT bob@example.com 550"])
        #expect(relay.mails.isEmpty)
        #expect(try await metric("authd_reset_mails_given_up_total", client, reaches: 1))
        #expect(try await metric("authd_reset_mails_retried_total", client) == 0)
    }

    @Test func aHangingRelayIsLeftAfterTheSMTPTimeoutAndTheMailGoesLater() async throws {
        let folder = try TemporaryFolder()
        let relay = try await startRelay(folder.url, mode: "hang")
        let server = try await authd(relayPort: relay.port, ["--smtp-timeout", "1s"])
        let client = HTTPClient(base: server.baseURL)
        try await register(client)
        #expect(try await client.send("POST", "/reset_password", form: ["email": Self.email]).status == 200)
        #expect(await eventually(within: 6) { server.log.contains("did not answer in time") }, "\(server.log)")
        // The sender was freed: the next attempt, once the relay answers, delivers.
        relay.setMode("accept")
        #expect(await relay.waitForMails(1, seconds: 15), "\(server.log)")
        #expect(try await stop(server) == 0)
    }

    @Test func theDefaultDeliveryWarnsThatTokensGoToWhoeverAsks() async throws {
        let server = try await onOwnThread { try AuthdProcess() }
        // Written right after the listening line.
        #expect(await eventually(within: 5) { server.log.contains("reset tokens go to whoever asks") })
        let warnings = server.log.split(separator: "\n").filter { $0.contains("reset tokens go to whoever asks") }
        #expect(warnings.count == 1 && warnings.first?.contains("--reset-delivery") == true, "\(server.log)")
        let client = HTTPClient(base: server.baseURL)
        try await register(client)
        let reset = try await client.send("POST", "/reset_password", form: ["email": Self.email])
        #expect(reset.status == 200 && reset.json["reset_token"] != nil)
    }
}
