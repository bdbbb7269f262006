import Foundation
import Testing

extension MultiNodeSuites {
    /// The second factor on two nodes of one database: a code's step is claimed in the database,
    /// so of simultaneous submissions of one code on both nodes exactly one wins; wrong codes count
    /// against the limits the nodes share.
    @Suite struct TOTPAcrossNodesTests {
        /// Two nodes sharing a key, and a user enrolled through node 0.
        private static func enrolled(_ email: String) async throws -> (
            nodes: AuthdNodes, database: PostgresDatabase, keys: TemporaryFolder, secret: String, enrolledAt: Int
        ) {
            try Prerequisite.require(.pyotp)
            let keys = try TemporaryFolder()
            let key = keys.url.appendingPathComponent("authd.key")
            try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: key)
            let database = try PostgresEnvironment.createDatabase()
            let nodes = try await AuthdNodes.start(
                2, database: database.url, ["--secret-key-file", key.path, "--sessions-per-user", "20"])
            let form = ["email": email, "password": "pw"]
            #expect(try await nodes.client(0).send("POST", "/users", form: form).status == 200)
            let login = try await nodes.client(0).send("POST", "/sessions", form: form)
            let session = try #require(HTTPClient.sessionID(from: login), "\(nodes.logs)")
            let begun = try await nodes.client(0).send(
                "POST", "/2fa/totp", form: ["password": "pw"], sessionID: session)
            let secret = try #require(begun.json["secret"], "\(nodes.logs)")
            let now = await PyOTP.safeNow(needing: 10)
            let code = try PyOTP.code(secret, at: now)
            let confirmed = try await nodes.client(1).send("PUT", "/2fa/totp", form: ["code": code], sessionID: session)
            #expect(confirmed.status == 200)
            return (nodes, database, keys, secret, now)
        }

        @Test func ofOneCodeSubmittedOnBothNodesAtOnceExactlyOneWins() async throws {
            let setup = try await Self.enrolled("race@example.com")
            let nodes = setup.nodes
            var waiting: [String] = []
            for index in 0..<6 {
                let login = try await nodes.client(index).send(
                    "POST", "/sessions", form: ["email": "race@example.com", "password": "pw"])
                #expect(login.json["second_factor"] == "totp")
                waiting.append(try #require(HTTPClient.sessionID(from: login)))
            }
            let code = try await PyOTP.code(setup.secret, at: max(PyOTP.safeNow(needing: 5), setup.enrolledAt + 30))
            let sessions = waiting
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, session) in sessions.enumerated() {
                    group.addTask {
                        try await nodes.client(index).send(
                            "POST", "/sessions/2fa", form: ["code": code], sessionID: session
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)\n\(nodes.logs)")
            #expect(Set(statuses).isSubset(of: [200, 401, 429]), "\(statuses)")
            #expect(try await nodes.stop() == [0, 0])
        }

        @Test func wrongCodesSpreadOverBothNodesCountAgainstOneLimit() async throws {
            let setup = try await Self.enrolled("guess@example.com")
            let nodes = setup.nodes
            let login = try await nodes.client(0).send(
                "POST", "/sessions", form: ["email": "guess@example.com", "password": "pw"])
            let waiting = try #require(HTTPClient.sessionID(from: login))
            let right = try await PyOTP.code(setup.secret, at: max(PyOTP.safeNow(needing: 5), setup.enrolledAt + 30))
            let wrong = right == "000000" ? "000001" : "000000"
            // Five wrong codes, alternating nodes: each node alone saw fewer than its limit of five.
            for guess in 0..<5 {
                let refused = try await nodes.client(guess).send(
                    "POST", "/sessions/2fa", form: ["code": wrong], sessionID: waiting)
                #expect(refused.status == 401)
            }
            let throttled = try await nodes.client(1).send(
                "POST", "/sessions/2fa", form: ["code": right], sessionID: waiting)
            #expect(throttled.status == 429, "\(nodes.logs)")
            #expect(try await nodes.stop() == [0, 0])
        }
    }
}
