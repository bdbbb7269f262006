import Foundation
import Testing

extension MultiNodeSuites {
    /// Three nodes on one database are one service: the seed's flow with every request on the next
    /// node, and a change made on one node, or a session's expiry, seen by the others at their next
    /// request (no cache that can lie).
    @Suite struct SeedFlowAcrossNodesTests {
        static let email = "guillaume@holberton.io"
        static let password = "b4l0u"
        static let newPassword = "t4rt1fl3tt3"

        @Test func theSeedFlowPassesWithEachRequestOnAnotherNode() async throws {
            let database = try PostgresEnvironment.createDatabase()
            let nodes = try await AuthdNodes.start(3, database: database.url)
            var step = 0
            func next() -> HTTPClient {
                defer { step += 1 }
                return nodes.client(step)
            }

            let registered = try await next().send(
                "POST", "/users", form: ["email": Self.email, "password": Self.password])
            #expect(registered.status == 200, "\(nodes.logs)")
            #expect(registered.json == ["email": Self.email, "message": "user created"])
            let again = try await next().send("POST", "/users", form: ["email": Self.email, "password": Self.password])
            #expect(again.status == 400)
            #expect(again.json == ["message": "email already registered"])

            let wrong = try await next().send(
                "POST", "/sessions", form: ["email": Self.email, "password": Self.newPassword])
            #expect(wrong.status == 401)
            #expect(try await next().send("GET", "/profile").status == 403)

            let login = try await next().send(
                "POST", "/sessions", form: ["email": Self.email, "password": Self.password])
            #expect(login.status == 200)
            #expect(login.json == ["email": Self.email, "message": "logged in"])
            let session = try #require(HTTPClient.sessionID(from: login))

            // The session made on one node is valid on each of the three.
            for _ in 0..<3 {
                let profile = try await next().send("GET", "/profile", sessionID: session)
                #expect(profile.status == 200)
                #expect(profile.json == ["email": Self.email])
            }

            let logout = try await next().send("DELETE", "/sessions", sessionID: session)
            #expect(logout.status == 302)
            #expect(logout.header("Location") == "/")
            #expect(try await next().send("GET", "/").json == ["message": "Bienvenue"])
            // Logged out on one node is logged out on the others at once.
            for _ in 0..<3 {
                #expect(try await next().send("GET", "/profile", sessionID: session).status == 403)
            }

            let reset = try await next().send("POST", "/reset_password", form: ["email": Self.email])
            #expect(reset.status == 200)
            let token = try #require(reset.json["reset_token"])
            let updated = try await next().send(
                "PUT", "/reset_password",
                form: ["email": Self.email, "reset_token": token, "new_password": Self.newPassword])
            #expect(updated.status == 200)
            #expect(updated.json == ["email": Self.email, "message": "Password updated"])
            // Single use on every node, not only on the one that took it.
            let reused = try await next().send(
                "PUT", "/reset_password",
                form: ["email": Self.email, "reset_token": token, "new_password": "another1"])
            #expect(reused.status == 403)

            let relogin = try await next().send(
                "POST", "/sessions", form: ["email": Self.email, "password": Self.newPassword])
            #expect(relogin.status == 200)
            let newSession = try #require(HTTPClient.sessionID(from: relogin))
            #expect(try await next().send("GET", "/profile", sessionID: newSession).status == 200)
            #expect(try await next().send("DELETE", "/sessions", sessionID: newSession).status == 302)
            #expect(try await next().send("GET", "/profile", sessionID: newSession).status == 403)
            #expect(try await nodes.stop() == [0, 0, 0])
        }

        @Test func aPasswordChangeOrANewLoginOnOneNodeIsSeenByTheOthersAtTheirNextRequest() async throws {
            let database = try PostgresEnvironment.createDatabase()
            let nodes = try await AuthdNodes.start(3, database: database.url)
            let (a, b, c) = (nodes.client(0), nodes.client(1), nodes.client(2))
            #expect(
                try await a.send("POST", "/users", form: ["email": Self.email, "password": Self.password]).status == 200
            )
            let first = try await a.send("POST", "/sessions", form: ["email": Self.email, "password": Self.password])
            let oldSession = try #require(HTTPClient.sessionID(from: first))
            // Each node reads the session once, so that a node caching it would now be tested.
            for client in [a, b, c] {
                #expect(try await client.send("GET", "/profile", sessionID: oldSession).status == 200)
            }

            // One session per user: a login on B replaces A's session everywhere.
            let second = try await b.send("POST", "/sessions", form: ["email": Self.email, "password": Self.password])
            let newSession = try #require(HTTPClient.sessionID(from: second))
            for client in [a, b, c] {
                #expect(try await client.send("GET", "/profile", sessionID: oldSession).status == 403)
                #expect(try await client.send("GET", "/profile", sessionID: newSession).status == 200)
            }

            // A password changed on C: the old one fails on A and B at once, the new one works there.
            let token = try #require(
                try await c.send("POST", "/reset_password", form: ["email": Self.email]).json["reset_token"])
            let updated = try await c.send(
                "PUT", "/reset_password",
                form: ["email": Self.email, "reset_token": token, "new_password": Self.newPassword])
            #expect(updated.status == 200)
            for client in [a, b] {
                let old = try await client.send(
                    "POST", "/sessions", form: ["email": Self.email, "password": Self.password])
                #expect(old.status == 401)
                let new = try await client.send(
                    "POST", "/sessions", form: ["email": Self.email, "password": Self.newPassword])
                #expect(new.status == 200)
            }
            #expect(try await nodes.stop() == [0, 0, 0])
        }

        @Test func aSessionPastItsLifetimeIsRefusedByEveryNode() async throws {
            let database = try PostgresEnvironment.createDatabase()
            let nodes = try await AuthdNodes.start(3, database: database.url, ["--session-ttl", "3"])
            #expect(
                try await nodes.client(0).send(
                    "POST", "/users", form: ["email": Self.email, "password": Self.password]
                )
                .status == 200)
            let loggedInAt = ContinuousClock.now
            let login = try await nodes.client(0).send(
                "POST", "/sessions", form: ["email": Self.email, "password": Self.password])
            let session = try #require(HTTPClient.sessionID(from: login))
            let fresh = try await nodes.client(1).send("GET", "/profile", sessionID: session).status
            // Two shared cores: judge the fresh answer only if it really came well in time.
            if ContinuousClock.now - loggedInAt < .milliseconds(2500) { #expect(fresh == 200) }
            try await Task.sleep(for: .milliseconds(3500))
            for client in nodes.clients {
                #expect(try await client.send("GET", "/profile", sessionID: session).status == 403)
            }
            #expect(try await nodes.stop() == [0, 0, 0])
        }
    }
}
