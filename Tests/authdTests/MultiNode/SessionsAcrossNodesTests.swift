import Foundation
import Testing

extension MultiNodeSuites {
    /// Sessions per device on two nodes of one database: a session ended on one node is refused by
    /// the other at its next request, and the list is the same from either.
    @Suite struct SessionsAcrossNodesTests {
        @Test func aRevokeOnOneNodeIsSeenByTheOtherAtTheNextRequest() async throws {
            let database = try PostgresEnvironment.createDatabase()
            let nodes = try await AuthdNodes.start(2, database: database.url, ["--sessions-per-user", "3"])
            let email = "nodes@example.com"
            _ = try await nodes.client(0).send("POST", "/users", form: ["email": email, "password": "pw"])
            var sessions: [String] = []
            for node in 0..<2 {
                let login = try await nodes.client(node).send(
                    "POST", "/sessions", form: ["email": email, "password": "pw"])
                sessions.append(try #require(HTTPClient.sessionID(from: login), "\(nodes.logs)"))
            }
            let listed = try await nodes.client(1).send("GET", "/sessions", sessionID: sessions[1])
            let body = try #require(try JSONSerialization.jsonObject(with: listed.body) as? [String: Any])
            let entries = try #require(body["sessions"] as? [[String: Any]])
            #expect(entries.count == 2)
            let firstID = try #require(entries.first { $0["current"] as? Bool == false }?["id"] as? String)

            #expect(try await nodes.client(1).send("GET", "/profile", sessionID: sessions[0]).status == 200)
            let revoked = try await nodes.client(0).send("DELETE", "/sessions/\(firstID)", sessionID: sessions[1])
            #expect(revoked.status == 200)
            #expect(try await nodes.client(1).send("GET", "/profile", sessionID: sessions[0]).status == 403)
            #expect(try await nodes.client(1).send("GET", "/profile", sessionID: sessions[1]).status == 200)

            let global = try await nodes.client(1).send("DELETE", "/sessions?scope=global", sessionID: sessions[1])
            #expect(global.status == 200)
            #expect(try await nodes.client(0).send("GET", "/profile", sessionID: sessions[1]).status == 403)
        }
    }
}
