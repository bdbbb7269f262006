import Foundation
import Testing

/// The seed's own integration test (API.md), step by step, over URLSession against the real binary.
@Suite struct SeedFlowTests {
    static let email = "guillaume@holberton.io"
    static let password = "b4l0u"
    static let newPassword = "t4rt1fl3tt3"

    init() throws {
        try Prerequisite.require(.requests)
    }

    @Test func seedEndToEndFlowPasses() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)

        let registered = try await client.send(
            "POST", "/users", form: ["email": Self.email, "password": Self.password])
        #expect(registered.status == 200)
        #expect(registered.json == ["email": Self.email, "message": "user created"])

        let wrong = try await client.send(
            "POST", "/sessions", form: ["email": Self.email, "password": Self.newPassword])
        #expect(wrong.status == 401)

        let anonymous = try await client.send("GET", "/profile")
        #expect(anonymous.status == 403)

        let login = try await client.send("POST", "/sessions", form: ["email": Self.email, "password": Self.password])
        #expect(login.status == 200)
        #expect(login.json == ["email": Self.email, "message": "logged in"])
        let session = try #require(HTTPClient.sessionID(from: login))

        let profile = try await client.send("GET", "/profile", sessionID: session)
        #expect(profile.status == 200)
        #expect(profile.json == ["email": Self.email])

        let logout = try await client.send("DELETE", "/sessions", sessionID: session)
        #expect(logout.status == 302)
        #expect(logout.header("Location") == "/")
        let welcome = try await client.send("GET", "/")
        #expect(welcome.status == 200)
        #expect(welcome.json == ["message": "Bienvenue"])

        let reset = try await client.send("POST", "/reset_password", form: ["email": Self.email])
        #expect(reset.status == 200)
        #expect(reset.json["email"] == Self.email)
        let token = try #require(reset.json["reset_token"])

        let updated = try await client.send(
            "PUT", "/reset_password",
            form: [
                "email": Self.email, "reset_token": token, "new_password": Self.newPassword,
            ])
        #expect(updated.status == 200)
        #expect(updated.json == ["email": Self.email, "message": "Password updated"])

        let relogin = try await client.send(
            "POST", "/sessions", form: ["email": Self.email, "password": Self.newPassword])
        #expect(relogin.status == 200)
        #expect(server.stop() == 0)
    }

    @Test func seedClientWrittenWithRequestsWorksUnchanged() throws {
        let server = try AuthdProcess()
        let script = Bundle.module.url(forResource: "seed_client", withExtension: "py", subdirectory: "Resources")!
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", script.path, server.baseURL]
        let output = Pipe()
        python.standardOutput = output
        python.standardError = output
        try python.run()
        python.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(python.terminationStatus == 0, "seed client failed:\n\(text)")
        #expect(text.contains("seed flow: ok"))
    }
}
