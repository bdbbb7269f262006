import Foundation
import Testing

/// schemathesis (PyPI, pinned in `Tests/requirements.txt`) against a live authd with the document authd serves:
/// every check over its examples, coverage and fuzzing phases, with a logged-in session so the cookie
/// routes answer 200 as well as 403. Anything it finds fails the test, its report in the message.
@Suite struct SchemathesisTests {
    /// Cases per operation and phase: the two runs take well under a minute on a quiet machine.
    static let maxExamples = 100

    @Test(.timeLimit(.minutes(5)))
    func schemathesisFindsNothing() async throws {
        try Prerequisite.require(.schemathesis)
        // The brute-force limits would answer most generated logins and sign-ups 429, leaving the
        // logic behind them untested; their own suites test them.
        // A key, so the second factor's routes answer as a service offering it does.
        let keyFolder = try TemporaryFolder()
        let key = keyFolder.url.appendingPathComponent("authd.key")
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: key)
        let server = try AuthdProcess(arguments: [
            "--login-failure-limit", "0", "--account-failure-limit", "0", "--address-failure-limit", "0",
            "--address-request-limit", "0", "--public-metrics", "--secret-key-file", key.path,
        ])
        let client = HTTPClient(base: server.baseURL)
        // The user of the document's examples, so the example login succeeds.
        let example = ["email": "guillaume@holberton.io", "password": "b4l0u"]
        #expect(try await client.send("POST", "/users", form: example).status == 200)
        // The session's user: its password appears nowhere, so no generated login replaces its session.
        let owner = ["email": "session-owner@example.com", "password": UUID().uuidString]
        #expect(try await client.send("POST", "/users", form: owner).status == 200)
        let session = try #require(HTTPClient.sessionID(from: try await client.send("POST", "/sessions", form: owner)))

        let folder = try TemporaryFolder()
        let config = folder.url.appendingPathComponent("schemathesis.toml")
        // As the `session` security scheme's key, not a raw Cookie header: schemathesis then knows the
        // cookie is the credential, and leaves it out when it tests requests without one.
        try Data("[auth.openapi.session]\napi_key = \"\(session)\"\n".utf8).write(to: config)

        // Log-out and ending a session by its id (schemathesis finds the id in `GET /sessions`)
        // end the session, so they run last, on their own.
        let enders = ["logout", "endSession"]
        let rest = try schemathesis(
            server, config: config, folder: folder, enders.flatMap { ["--exclude-operation-id", $0] })
        #expect(rest.status == 0, "schemathesis found something:\n\(rest.output)")
        #expect(
            try await client.send("GET", "/profile", sessionID: session).status == 200, "the session outlived the run")
        let logout = try schemathesis(
            server, config: config, folder: folder, enders.flatMap { ["--include-operation-id", $0] })
        #expect(logout.status == 0, "schemathesis found something:\n\(logout.output)")
        #expect(
            try await client.send("GET", "/profile", sessionID: session).status == 403, "the run logged the session out"
        )
    }

    @Test func theDocumentIsValidOpenAPI31() throws {
        try Prerequisite.require(.openAPISpecValidator)
        let script =
            "import json, sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1])))"
        let checked = try run("/usr/bin/env", ["python3", "-c", script, OpenAPITests.documentURL.path])
        #expect(checked.status == 0, "openapi.json is not valid OpenAPI 3.1:\n\(checked.output)")
    }

    /// Runs the schemathesis CLI on the document `server` serves; its exit status and report.
    private func schemathesis(
        _ server: AuthdProcess, config: URL, folder: TemporaryFolder, _ selection: [String]
    ) throws -> (status: Int32, output: String) {
        let arguments =
            [
                "python3", "-m", "schemathesis.cli", "--config-file", config.path, "run",
                server.baseURL + "/openapi.json",
                "--url", server.baseURL, "--phases", "examples,coverage,fuzzing", "--checks", "all",
                // The one exclusion: the seed answers a well-formed sign-up of a taken email with 400, not
                // 409, and a seed client depends on it; that check would call it a rejected valid request.
                "--exclude-checks", "positive_data_acceptance",
                "--max-examples", String(Self.maxExamples), "--request-timeout", "10",
                "--generation-database", "none", "--no-color",
            ] + selection
        return try run("/usr/bin/env", arguments, directory: folder.url)
    }
}
