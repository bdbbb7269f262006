import Foundation
import Testing

extension MultiNodeSuites {
    /// Races between nodes have one winner, decided by the database and not by any node.
    @Suite struct RacesAcrossNodesTests {
        /// Sends `requests` at once, each on its own connection to node `index % 3`: every request
        /// is written before any answer is read, so they meet in the database.
        private static func race(_ ports: [Int], _ requests: [String]) async throws -> [RawResponse?] {
            try await onOwnThread {
                let connections = try requests.indices.map {
                    try RawClient(port: ports[$0 % ports.count], timeoutSeconds: 30)
                }
                for (connection, request) in zip(connections, requests) { try connection.send(request) }
                return try connections.map { try $0.readResponse() }
            }
        }

        private static func request(_ method: String, _ path: String, _ body: String) -> String {
            "\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }

        @Test func oneEmailRegisteredOnThreeNodesAtOnceHasExactlyOneWinner() async throws {
            let database = try PostgresEnvironment.createDatabase()
            let nodes = try await AuthdNodes.start(3, database: database.url, ["--address-request-limit", "0"])
            let ports = nodes.nodes.map(\.port)
            // Five rounds of 30, each on a fresh email: one round could be won by timing alone.
            for round in 0..<5 {
                let email = "race\(round)%40b.c"
                let answers = try await Self.race(
                    ports, (0..<30).map { Self.request("POST", "/users", "email=\(email)&password=pw\($0)") })
                let statuses = answers.map { $0?.status ?? -1 }
                #expect(statuses.filter { $0 == 200 }.count == 1, "round \(round): \(statuses)\n\(nodes.logs)")
                #expect(statuses.filter { $0 == 400 }.count == 29, "round \(round): \(statuses)")
                #expect(
                    answers.filter { $0?.status == 400 }.allSatisfy {
                        $0?.json == ["message": "email already registered"]
                    })
                // The winner's password is the one stored: its login works on every node.
                let winner = try #require(answers.firstIndex { $0?.status == 200 })
                for client in nodes.clients {
                    let login = try await client.send(
                        "POST", "/sessions", form: ["email": "race\(round)@b.c", "password": "pw\(winner)"])
                    #expect(login.status == 200)
                }
            }
            #expect(try database.query("SELECT count(*) FROM users") == "5")
            #expect(try await nodes.stop() == [0, 0, 0])
        }

        @Test func oneResetTokenUsedOnTwoNodesAtOnceChangesThePasswordOnce() async throws {
            let database = try PostgresEnvironment.createDatabase()
            // The losers' passwords are tried below: wrong logins the failure limits must not turn into 429.
            let nodes = try await AuthdNodes.start(
                2, database: database.url,
                ["--address-request-limit", "0", "--login-failure-limit", "0", "--account-failure-limit", "0"])
            let ports = nodes.nodes.map(\.port)
            for round in 0..<5 {
                let email = "reset\(round)@b.c"
                #expect(
                    try await nodes.client(0).send("POST", "/users", form: ["email": email, "password": "old"]).status
                        == 200)
                let token = try #require(
                    try await nodes.client(1).send("POST", "/reset_password", form: ["email": email]).json[
                        "reset_token"])
                // Ten uses of one token, five on each node, each with its own new password.
                let encoded = email.replacingOccurrences(of: "@", with: "%40")
                let answers = try await Self.race(
                    ports,
                    (0..<10).map {
                        Self.request(
                            "PUT", "/reset_password", "email=\(encoded)&reset_token=\(token)&new_password=new\($0)")
                    })
                let statuses = answers.map { $0?.status ?? -1 }
                #expect(statuses.filter { $0 == 200 }.count == 1, "round \(round): \(statuses)\n\(nodes.logs)")
                #expect(statuses.filter { $0 == 403 }.count == 9, "round \(round): \(statuses)")
                // Exactly the winner's password works; the old one and every loser's fail.
                let winner = try #require(answers.firstIndex { $0?.status == 200 })
                for index in 0..<10 {
                    let login = try await nodes.client(index).send(
                        "POST", "/sessions", form: ["email": email, "password": "new\(index)"])
                    #expect(login.status == (index == winner ? 200 : 401), "round \(round) password new\(index)")
                }
                let old = try await nodes.client(round).send(
                    "POST", "/sessions", form: ["email": email, "password": "old"])
                #expect(old.status == 401)
            }
            #expect(try await nodes.stop() == [0, 0])
        }
    }
}
