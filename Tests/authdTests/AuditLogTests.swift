import Foundation
import Testing

/// Audit events and access-log lines on stderr, and the secrets they must never contain.
@Suite struct AuditLogTests {
    private let email = "audited@example.com"

    /// The JSON lines of `log` with an `audit` field.
    private func events(in log: String) -> [[String: Any]] {
        log.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["audit"] != nil }
    }

    @Test func everyEventIsLoggedAndNoSecretEverIs() async throws {
        let server = try AuthdProcess(arguments: ["--login-failure-limit", "2"])
        let client = HTTPClient(base: server.baseURL)
        _ = try await client.send("POST", "/users", form: ["email": email, "password": "first-secret-pw"])
        let login = try await client.send("POST", "/sessions", form: ["email": email, "password": "first-secret-pw"])
        let firstSession = try #require(HTTPClient.sessionID(from: login))
        _ = try await client.send("GET", "/profile", sessionID: firstSession)
        #expect(try await client.send("DELETE", "/sessions", sessionID: firstSession).status == 302)
        let token = try #require(
            try await client.send("POST", "/reset_password", form: ["email": email]).json["reset_token"])
        _ = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": email, "reset_token": token, "new_password": "second-secret-pw",
            ])
        let relogin = try await client.send(
            "POST", "/sessions", form: ["email": email, "password": "second-secret-pw"])
        let secondSession = try #require(HTTPClient.sessionID(from: relogin))
        for _ in 1...2 {
            _ = try await client.send("POST", "/sessions", form: ["email": email, "password": "wrong-secret-pw"])
        }
        #expect(
            try await client.send("POST", "/sessions", form: ["email": email, "password": "wrong-secret-pw"]).status
                == 429)
        #expect(server.stop() == 0)

        let log = server.log
        for secret in [firstSession, secondSession, token, "first-secret-pw", "second-secret-pw", "wrong-secret-pw"] {
            #expect(!log.contains(secret), "the log contains a secret: \(secret)")
        }
        let names = events(in: log).compactMap { $0["audit"] as? String }
        #expect(
            names == [
                "registered", "session_started", "login_succeeded", "logged_out", "session_ended",
                "reset_token_issued", "password_changed", "session_started", "login_succeeded", "login_failed",
                "login_failed", "throttled",
            ])
        let failed = try #require(events(in: log).first { $0["audit"] as? String == "login_failed" })
        #expect(failed["email"] as? String == email)
        #expect(failed["reason"] as? String == "invalid_credentials")
        #expect(failed["address"] as? String == "127.0.0.1")
        #expect(failed["time"] as? String != nil)
    }

    @Test func expiredSessionIsAnAuditEvent() async throws {
        let server = try AuthdProcess(arguments: ["--session-ttl", "1"])
        let client = HTTPClient(base: server.baseURL)
        _ = try await client.send("POST", "/users", form: ["email": email, "password": "pw"])
        let session = try #require(
            HTTPClient.sessionID(
                from: try await client.send(
                    "POST", "/sessions", form: ["email": email, "password": "pw"])))
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await client.send("GET", "/profile", sessionID: session).status == 403)
        #expect(server.stop() == 0)
        let expired = events(in: server.log).filter { $0["audit"] as? String == "session_expired" }
        #expect(expired.count == 1)
        #expect(expired.first?["user_id"] as? Int == 1)
        #expect(!server.log.contains(session))
    }

    @Test func pipelinedRequestsAnsweredInOneCycleEachLeaveOneWholeLine() throws {
        let server = try AuthdProcess()
        let client = try RawClient(port: server.port)
        // One write: the loop answers them together and writes their log lines together.
        let paths = (0..<40).map { "/nowhere-\($0)-%22q%22" }
        try client.send(paths.map { "GET \($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined())
        for _ in paths { #expect(try client.readResponse()?.status == 404) }
        #expect(server.stop() == 0)
        let logged = server.log.split(separator: "\n").filter { $0.contains("\"access\"") }.map { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["path"] as? String
        }
        #expect(logged == paths)
    }

    @Test func accessLogHasALinePerRequestUnlessTurnedOff() async throws {
        let logged = try AuthdProcess()
        let client = HTTPClient(base: logged.baseURL)
        _ = try await client.send("GET", "/profile?reset_token=query-secret")
        _ = try await client.send("GET", "/nowhere")
        #expect(logged.stop() == 0)
        let lines = logged.log.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["access"] != nil }
        #expect(lines.count == 2)
        #expect(lines.first?["access"] as? String == "GET")
        #expect(lines.first?["path"] as? String == "/profile")
        #expect(lines.first?["status"] as? Int == 403)
        #expect((lines.first?["bytes"] as? Int ?? 0) > 0)
        #expect(lines.first?["ms"] != nil)
        #expect(lines.last?["status"] as? Int == 404)
        #expect(!logged.log.contains("query-secret"))

        let quiet = try AuthdProcess(arguments: ["--no-access-log"])
        _ = try await HTTPClient(base: quiet.baseURL).send("GET", "/")
        #expect(quiet.stop() == 0)
        #expect(!quiet.log.contains("\"access\""))
    }
}
