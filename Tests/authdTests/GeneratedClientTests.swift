import Foundation
import Testing

/// The document serves code generators: a Python client that openapi-python-client (PyPI) generates
/// from the repository's `openapi.json` (the bytes the binary serves, `OpenAPITests` checks) runs the
/// seed's flow against a live authd (`Resources/generated_client_flow.py`). Generated into a
/// temporary folder at each run: nothing generated is committed, so the client is always the
/// current document's.
@Suite struct GeneratedClientTests {
    @Test func aClientGeneratedFromTheDocumentRunsTheSeedFlow() throws {
        try Prerequisite.require(.openAPIPythonClient)
        let server = try AuthdProcess()
        let folder = try TemporaryFolder()
        let generated = try run(
            "/usr/bin/env",
            [
                "python3", "-m", "openapi_python_client", "generate", "--path", OpenAPITests.documentURL.path,
                "--output-path", folder.url.appendingPathComponent("authd_client").path, "--meta", "none",
            ],
            directory: folder.url)
        try #require(generated.status == 0, "openapi-python-client could not generate a client:\n\(generated.output)")
        // What the generator only half understands costs a warning and leaves that part out of the client.
        #expect(!generated.output.contains("Warning"), "openapi-python-client warned:\n\(generated.output)")

        let script = try #require(
            Bundle.module.url(forResource: "generated_client_flow", withExtension: "py", subdirectory: "Resources"))
        let flow = try run("/usr/bin/env", ["python3", script.path, folder.url.path, server.baseURL])
        #expect(flow.status == 0, "the generated client's seed flow failed:\n\(flow.output)")
        #expect(flow.output.contains("generated client flow: ok"))
        #expect(server.stop() == 0)
    }
}
