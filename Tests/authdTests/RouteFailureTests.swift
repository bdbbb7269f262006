import Foundation
import Testing

/// Every failure status of every route (API.md), plus the authd additions, against the real binary.
@Suite struct RouteFailureTests {
    let server: AuthdProcess
    let client: HTTPClient

    init() throws {
        server = try AuthdProcess()
        client = HTTPClient(base: server.baseURL)
    }

    private func register(_ email: String, _ password: String = "pw") async throws {
        let answer = try await client.send("POST", "/users", form: ["email": email, "password": password])
        try #require(answer.status == 200)
    }

    private func login(_ email: String, _ password: String = "pw") async throws -> String {
        let answer = try await client.send("POST", "/sessions", form: ["email": email, "password": password])
        try #require(answer.status == 200)
        return try #require(HTTPClient.sessionID(from: answer))
    }

    @Test func duplicateRegistrationIs400() async throws {
        try await register("a@b.c")
        let again = try await client.send("POST", "/users", form: ["email": "a@b.c", "password": "other"])
        #expect(again.status == 400)
        #expect(again.json == ["message": "email already registered"])
    }

    @Test func missingOrBlankFieldsAre400WithTheFieldName() async throws {
        let noPassword = try await client.send("POST", "/users", form: ["email": "x@y.z"])
        #expect(noPassword.status == 400)
        #expect(noPassword.json == ["message": "missing field: password"])
        let blankEmail = try await client.send("POST", "/users", form: ["email": "   ", "password": "pw"])
        #expect(blankEmail.status == 400)
        #expect(blankEmail.json == ["message": "missing field: email"])
        let noBody = try await client.send("POST", "/sessions")
        #expect(noBody.status == 400)
        let resetNoEmail = try await client.send("POST", "/reset_password", form: [:])
        #expect(resetNoEmail.status == 400)
    }

    @Test func unknownEmailAndWrongPasswordAre401() async throws {
        try await register("known@b.c")
        let unknown = try await client.send("POST", "/sessions", form: ["email": "nobody@b.c", "password": "pw"])
        #expect(unknown.status == 401)
        #expect(unknown.json["message"] != nil)
        let wrong = try await client.send("POST", "/sessions", form: ["email": "known@b.c", "password": "nope"])
        #expect(wrong.status == 401)
    }

    @Test func sessionCookieIsLowercaseUUID4AndHttpOnly() async throws {
        try await register("c@b.c")
        let answer = try await client.send("POST", "/sessions", form: ["email": "c@b.c", "password": "pw"])
        let cookie = try #require(answer.header("Set-Cookie"))
        let id = try #require(HTTPClient.sessionID(from: answer))
        #expect(
            id.range(
                of: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression
            ) != nil)
        #expect(cookie.contains("Path=/"))
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Lax"))
        #expect(!cookie.contains("Secure"))
        #expect(answer.header("Cache-Control") == "no-store")
    }

    @Test func aSecondLoginReplacesTheFirstSession() async throws {
        try await register("d@b.c")
        let first = try await login("d@b.c")
        let second = try await login("d@b.c")
        #expect(first != second)
        #expect(try await client.send("GET", "/profile", sessionID: first).status == 403)
        #expect(try await client.send("GET", "/profile", sessionID: second).status == 200)
    }

    @Test func profileAndLogoutWithoutAValidSessionAre403() async throws {
        #expect(try await client.send("GET", "/profile").status == 403)
        #expect(try await client.send("GET", "/profile", sessionID: "").status == 403)
        #expect(try await client.send("GET", "/profile", sessionID: UUID().uuidString.lowercased()).status == 403)
        #expect(try await client.send("DELETE", "/sessions").status == 403)
        let unknown = try await client.send("DELETE", "/sessions", sessionID: "nope")
        #expect(unknown.status == 403)
        #expect(unknown.json["message"] != nil)
    }

    @Test func logoutRedirectsClearsTheCookieAndEndsTheSession() async throws {
        try await register("e@b.c")
        let session = try await login("e@b.c")
        let logout = try await client.send("DELETE", "/sessions", sessionID: session)
        #expect(logout.status == 302)
        #expect(logout.header("Location") == "/")
        #expect(logout.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(try await client.send("GET", "/profile", sessionID: session).status == 403)
        #expect(try await client.send("DELETE", "/sessions", sessionID: session).status == 403)
    }

    @Test func resetTokenForAnUnknownEmailIs403() async throws {
        let answer = try await client.send("POST", "/reset_password", form: ["email": "ghost@b.c"])
        #expect(answer.status == 403)
    }

    @Test func passwordUpdateRefusesBadTokensAndIsSingleUse() async throws {
        try await register("f@b.c")
        try await register("g@b.c")
        let reset = try await client.send("POST", "/reset_password", form: ["email": "f@b.c"])
        let token = try #require(reset.json["reset_token"])

        let unknown = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": "f@b.c", "reset_token": UUID().uuidString.lowercased(), "new_password": "x",
            ])
        #expect(unknown.status == 403)
        // The seed's IS NULL lookup let a token-less reset take over an account: never here.
        let missing = try await client.send("PUT", "/reset_password", form: ["email": "g@b.c", "new_password": "x"])
        #expect(missing.status == 403)
        let empty = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": "g@b.c", "reset_token": "", "new_password": "x",
            ])
        #expect(empty.status == 403)
        let otherEmail = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": "g@b.c", "reset_token": token, "new_password": "x",
            ])
        #expect(otherEmail.status == 403)

        let good = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": "f@b.c", "reset_token": token, "new_password": "new",
            ])
        #expect(good.status == 200)
        let reused = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": "f@b.c", "reset_token": token, "new_password": "again",
            ])
        #expect(reused.status == 403)
        _ = try await login("f@b.c", "new")
        _ = try await login("g@b.c", "pw")
    }

    @Test func passwordsOverBcryptsLimitAre400() async throws {
        let long = String(repeating: "p", count: 73)
        let answer = try await client.send("POST", "/users", form: ["email": "long@b.c", "password": long])
        #expect(answer.status == 400)
        #expect(answer.json["message"]?.contains("72") == true)
        let exactly72 = try await client.send(
            "POST", "/users", form: ["email": "ok@b.c", "password": String(long.dropLast())])
        #expect(exactly72.status == 200)
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() async throws {
        let missing = try await client.send("GET", "/nope")
        #expect(missing.status == 404)
        #expect(missing.json["message"] != nil)
        #expect(missing.header("Content-Type") == "application/json")
        let wrong = try await client.send("PATCH", "/sessions")
        #expect(wrong.status == 405)
        let allow = try #require(wrong.header("Allow"))
        #expect(allow.contains("POST") && allow.contains("DELETE"))
    }

    @Test func unsupportedBodyTypeIs415() throws {
        let xml = try RawClient(port: server.port)
        try xml.send(
            "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 7\r\n\r\n<a></a>")
        #expect(try xml.readResponse()?.status == 415)
    }

    @Test func jsonBodiesAndUnicodeEmailsRoundTrip() async throws {
        let email = "zoë\"quote\\@exämple.com"
        let body = try JSONSerialization.data(withJSONObject: ["email": email, "password": "pw"])
        let raw = try RawClient(port: server.port)
        try raw.send(
            Array(
                "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
                    .utf8) + Array(body))
        let answer = try #require(try raw.readResponse())
        #expect(answer.status == 200)
        #expect(answer.json == ["email": email, "message": "user created"])
    }
}
