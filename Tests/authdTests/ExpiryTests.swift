import Foundation
import Testing

/// Session and reset-token lifetimes against the real binary (`--session-ttl`, `--reset-token-ttl`).
@Suite struct ExpiryTests {
    private let email = "ttl@example.com"

    @Test func sessionStopsWorkingAfterSessionTTL() async throws {
        let server = try AuthdProcess(arguments: ["--session-ttl", "3"])
        let client = HTTPClient(base: server.baseURL)
        _ = try await client.send("POST", "/users", form: ["email": email, "password": "pw"])
        let loggedInAt = Date()
        let login = try await client.send("POST", "/sessions", form: ["email": email, "password": "pw"])
        let session = try #require(HTTPClient.sessionID(from: login))
        let fresh = try await client.send("GET", "/profile", sessionID: session).status
        // The whole suite shares two cores: judge the fresh answer only if it really came in time.
        if Date().timeIntervalSince(loggedInAt) < 2.5 { #expect(fresh == 200) }
        try await Task.sleep(for: .milliseconds(3500))
        let expired = try await client.send("GET", "/profile", sessionID: session)
        #expect(expired.status == 403)
        #expect(expired.json == ["message": "no valid session"])
        #expect(try await client.send("DELETE", "/sessions", sessionID: session).status == 403)
    }

    @Test func resetTokenPastResetTokenTTLIsRefused() async throws {
        let server = try AuthdProcess(environment: ["AUTHD_RESET_TOKEN_TTL": "1s"])
        let client = HTTPClient(base: server.baseURL)
        _ = try await client.send("POST", "/users", form: ["email": email, "password": "pw"])
        let reset = try await client.send("POST", "/reset_password", form: ["email": email])
        let token = try #require(reset.json["reset_token"])
        try await Task.sleep(for: .milliseconds(1500))
        let update = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": email, "reset_token": token, "new_password": "new",
            ])
        #expect(update.status == 403)
        #expect(try await client.send("POST", "/sessions", form: ["email": email, "password": "pw"]).status == 200)
    }

    /// In the seed's delivery (`response`) the session stays, as the seed keeps it: anyone who knows
    /// an email can reset its password there, and seed clients log out with the old cookie after.
    @Test func passwordUpdateInResponseModeKeepsTheSessionAsTheSeedDoes() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        _ = try await client.send("POST", "/users", form: ["email": email, "password": "pw"])
        let login = try await client.send("POST", "/sessions", form: ["email": email, "password": "pw"])
        let session = try #require(HTTPClient.sessionID(from: login))
        let token = try #require(
            try await client.send("POST", "/reset_password", form: ["email": email]).json["reset_token"])
        let update = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": email, "reset_token": token, "new_password": "new",
            ])
        #expect(update.status == 200)
        #expect(try await client.send("GET", "/profile", sessionID: session).status == 200)
        #expect(try await client.send("DELETE", "/sessions", sessionID: session).status == 302)
        #expect(try await client.send("POST", "/sessions", form: ["email": email, "password": "new"]).status == 200)
    }

    @Test func malformedDurationIsRefusedAtStart() throws {
        #expect(throws: AuthdProcessError.self) { try AuthdProcess(arguments: ["--session-ttl", "5x"]) }
        #expect(throws: AuthdProcessError.self) {
            try AuthdProcess(environment: ["AUTHD_RESET_TOKEN_TTL": "15 minutes"])
        }
    }
}
