import Foundation
import Testing

/// "Running several nodes" of `docs/operations.md` as written: its nginx example passes `nginx -t`,
/// and two nodes set up by its env file behind that nginx serve as one service on one database.
@Suite struct SeveralNodesTests {
    private static let operations = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/operations.md")

    /// The first fenced block of `language` after the heading "Running several nodes" whose
    /// first line starts with `firstLine`.
    private static func example(_ language: String, startingWith firstLine: String = "") throws -> String {
        let text = try String(contentsOf: operations, encoding: .utf8)
        let section = try #require(text.range(of: "## Running several nodes\n"), "no section in docs/operations.md")
        var rest = text[section.upperBound...]
        while let open = rest.range(of: "```\(language)\n") {
            let close = try #require(rest[open.upperBound...].range(of: "```\n"), "an unclosed block")
            let block = String(rest[open.upperBound..<close.lowerBound])
            if block.hasPrefix(firstLine) { return block }
            rest = rest[close.upperBound...]
        }
        throw ExampleMissing(language: language)
    }

    private struct ExampleMissing: Error {
        var language: String
    }

    /// The nginx example with its two nodes moved to `nodes` and its listener to `127.0.0.1:listen`.
    private static func nginxExample(nodes: [Int], listen: Int) throws -> String {
        let example = try example("nginx")
        try #require(example.contains("server 127.0.0.1:5001;") && example.contains("server 127.0.0.1:5002;"))
        try #require(example.contains("listen 80;"))
        return
            example
            .replacingOccurrences(of: "127.0.0.1:5001", with: "127.0.0.1:\(nodes[0])")
            .replacingOccurrences(of: "127.0.0.1:5002", with: "127.0.0.1:\(nodes[1])")
            .replacingOccurrences(of: "listen 80;", with: "listen 127.0.0.1:\(listen);")
    }

    /// The documented env file as variables, without the port and the database each test gives.
    private static func nodeEnvironment() throws -> [String: String] {
        var variables: [String: String] = [:]
        for line in try example("sh", startingWith: "# /etc/authd/1.env").split(separator: "\n")
        where !line.hasPrefix("#") {
            let pair = line.split(separator: "=", maxSplits: 1).map(String.init)
            try #require(pair.count == 2 && pair[0].hasPrefix("AUTHD_"), "not a variable: \(line)")
            variables[pair[0]] = pair[1]
        }
        try #require(variables["AUTHD_PORT"] == "5001" && variables["AUTHD_TRUSTED_PROXY"] != nil)
        variables["AUTHD_PORT"] = nil
        variables["AUTHD_DATABASE"] = nil
        return variables
    }

    @Test func theDocumentedNginxExamplePassesNginxTest() throws {
        let result = try NginxProcess.check(
            http: try Self.nginxExample(nodes: [try freePort(), try freePort()], listen: try freePort()))
        #expect(result.status == 0, "nginx -t said: \(result.output)")
        #expect(result.output.contains("test is successful"))
    }

    @Test(arguments: DatabaseKind.allCases)
    func twoNodesBehindTheDocumentedNginxAreOneServiceWithTheClientsAddress(_ kind: DatabaseKind) async throws {
        let folder = try TemporaryFolder()
        try await kind.with(in: folder) { database, _ in try await twoNodesServe(on: database) }
    }

    private func twoNodesServe(on database: String) async throws {
        let environment = try Self.nodeEnvironment()
        let nodes = try (0..<2).map { _ in try AuthdProcess(database: database, environment: environment) }
        let nginx = try NginxProcess { port in
            (try? Self.nginxExample(nodes: nodes.map(\.port), listen: port)) ?? ""
        }
        let client = HTTPClient(base: "http://127.0.0.1:\(nginx.port)")
        let form = ["email": "one@example.com", "password": "pw"]
        #expect(try await client.send("POST", "/users", form: form).status == 200)
        let session = try #require(HTTPClient.sessionID(from: try await client.send("POST", "/sessions", form: form)))
        // Round robin: these reach both nodes, and each finds the session the other made.
        for _ in 0..<4 {
            #expect(try await client.send("GET", "/profile", sessionID: session).json == ["email": "one@example.com"])
        }
        #expect(try await client.send("DELETE", "/sessions", sessionID: session).status == 302)
        for _ in 0..<2 { #expect(try await client.send("GET", "/profile", sessionID: session).status == 403) }
        // nginx appends its peer: the node trusts 127.0.0.1 and logs the client before it.
        _ = try await client.send("GET", "/", headers: ["X-Forwarded-For": "192.0.2.7"])
        nginx.stop()
        for node in nodes { #expect(node.stop() == 0) }
        for node in nodes { #expect(node.log.contains(#""path":"/profile""#), "\(node.log)") }
        #expect(nodes.contains { $0.log.contains(#""address":"192.0.2.7""#) })
    }
}
