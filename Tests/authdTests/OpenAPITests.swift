import AuthService
import Foundation
import Logging
import Testing

@testable import authd

/// `openapi.json`: compiled into the binary unchanged, listing exactly the router's routes, served
/// where `/metrics` is (`--admin-port`, or `--public-metrics`), and holding up against schemathesis run on a live authd.
@Suite struct OpenAPITests {
    /// The repository's `openapi.json`, found from this file's place in the tree.
    static let documentURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi.json")

    static func documentBytes() throws -> [UInt8] {
        Array(try Data(contentsOf: documentURL))
    }

    static func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(documentBytes())) as? [String: Any])
    }

    @Test func theBinaryServesTheRepositorysDocumentByteForByte() throws {
        let compiled = Array(
            UnsafeBufferPointer(
                start: OpenAPIDocument.text.utf8Start, count: OpenAPIDocument.text.utf8CodeUnitCount))
        #expect(
            compiled == (try Self.documentBytes()),
            "the binary serves another document than openapi.json: is Plugins/EmbedOpenAPI in authd's plugins?")
    }

    @Test func theDocumentAndTheRouterListTheSameRoutesAndMethods() throws {
        let auth = try Auth(store: InMemoryUserStore(), configuration: AuthConfiguration(bcryptCost: 4, hashThreads: 1))
        defer { auth.shutdown() }
        let routes = AuthRoutes(auth: auth, logger: Logger(label: "test"))
        let routed = Set(routes.endpoints.map { "\($0.method) \($0.path)" })
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, item in item.keys.map { "\($0.uppercased()) \(path)" } })
        #expect(documented == routed)
    }

    @Test func theDocumentIsOpenAPI31OfThisVersion() throws {
        let document = try Self.document()
        #expect(document["openapi"] as? String == "3.1.0")
        #expect((document["info"] as? [String: Any])?["version"] as? String == Version.number)
    }

    @Test func servedOnThePublicListenerWithPublicMetrics() async throws {
        let server = try AuthdProcess(arguments: ["--public-metrics"])
        let answer = try await HTTPClient(base: server.baseURL).send("GET", "/openapi.json")
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type") == "application/json")
        #expect(Array(answer.body) == (try Self.documentBytes()))
    }

    @Test func servedOnTheAdminListenerOnlyWhenThereIsOne() async throws {
        let server = try AuthdProcess(arguments: ["--admin-port", "0"])
        let admin = HTTPClient(base: "http://127.0.0.1:\(try server.adminPort())")
        #expect(try await HTTPClient(base: server.baseURL).send("GET", "/openapi.json").status == 404)
        let answer = try await admin.send("GET", "/openapi.json")
        #expect(answer.status == 200)
        #expect(Array(answer.body) == (try Self.documentBytes()))
    }
}
