import Foundation
import Testing

extension MultiNodeSuites {
    /// The per-email login limit counts across nodes: its state is in the database and an attempt
    /// is admitted there atomically, so an attacker who spreads guesses over three nodes gets no
    /// more of them than on one. With limits kept per node (the PostgreSQL store before the shared
    /// limits of schema version 2) each node admits the limit by itself: three times as many.
    @Suite struct SharedLimitsAcrossNodesTests {
        /// The default per (email, client) failure limit, as `BruteForceTests` relies on it.
        private static let limit = 5

        private static func login(_ port: Int, _ email: String, _ password: String, from source: String) throws
            -> RawClient
        {
            let client = try RawClient(port: port, timeoutSeconds: 60, from: source)
            try client.send(formPost("/sessions", body: Array("email=\(email)&password=\(password)".utf8)))
            return client
        }

        @Test func guessesSpreadOverThreeNodesOneAtATimeGetNoMoreThanTheLimit() async throws {
            let database = try PostgresEnvironment.createDatabase()
            let nodes = try await AuthdNodes.start(3, database: database.url)
            #expect(
                try await nodes.client(0).send("POST", "/users", form: ["email": "victim@b.c", "password": "right"])
                    .status == 200)
            let ports = nodes.nodes.map(\.port)
            let statuses = try await onOwnThread {
                try (0..<(3 * Self.limit)).map { guess in
                    try Self.login(ports[guess % 3], "victim%40b.c", "guess\(guess)", from: "127.0.0.2").readResponse()?
                        .status ?? -1
                }
            }
            #expect(
                statuses == Array(repeating: 401, count: Self.limit) + Array(repeating: 429, count: 2 * Self.limit),
                "\(statuses)")
            #expect(try await nodes.stop() == [0, 0, 0])
        }

        @Test func simultaneousGuessesOnThreeNodesGetAtMostTheLimitChecked() async throws {
            let database = try PostgresEnvironment.createDatabase()
            // bcrypt slow enough that every guess is in flight before the first one is checked.
            let nodes = try await AuthdNodes.start(
                3, database: database.url, ["--bcrypt-cost", "10", "--hash-threads", "1"])
            #expect(
                try await nodes.client(0).send("POST", "/users", form: ["email": "fresh@b.c", "password": "right"])
                    .status == 200)
            let ports = nodes.nodes.map(\.port)
            let statuses = try await onOwnThread {
                let clients = try (0..<30).map {
                    try Self.login(ports[$0 % 3], "fresh%40b.c", "guess\($0)", from: "127.0.0.3")
                }
                return try clients.map { try $0.readResponse()?.status ?? -1 }
            }
            #expect(statuses.filter { $0 == 401 }.count == Self.limit, "\(statuses)")
            #expect(statuses.filter { $0 == 429 }.count == 30 - Self.limit, "\(statuses)")
            #expect(try await nodes.stop() == [0, 0, 0])
        }
    }
}
