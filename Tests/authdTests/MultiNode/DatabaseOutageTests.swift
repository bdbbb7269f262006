import Foundation
import Testing

extension MultiNodeSuites {
    /// PostgreSQL stopped and started under a write load, on a cluster of the test's own: while it
    /// is away every answer is a quick 503 with `Retry-After` and `/healthz` is 503; once it is
    /// back the nodes reconnect by themselves, and every acknowledged registration is there.
    @Suite struct DatabaseOutageTests {
        /// Whether `/healthz` answers `status` on every node within `seconds`: only a guard that ends
        /// a test whose nodes never get there, so generous on a loaded machine.
        private static func health(_ nodes: AuthdNodes, is status: Int, within seconds: Double = 60) async -> Bool {
            let limit = ContinuousClock.now + .seconds(seconds)
            for client in nodes.clients {
                while (try? await client.send("GET", "/healthz"))?.status != status {
                    guard ContinuousClock.now < limit else { return false }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            return true
        }

        @Test(arguments: [false, true])
        func answersAreQuick503sWhilePostgresIsDownAndNothingAcknowledgedIsLost(crash: Bool) async throws {
            let cluster = try await onOwnThread { try PostgresCluster() }
            let database = try await onOwnThread { try cluster.createDatabase() }
            let nodes = try await AuthdNodes.start(
                2, database: database.url, ["--address-request-limit", "0", "--public-metrics"])
            let load = RegistrationLoad(ports: nodes.nodes.map(\.port), threads: 4, prefix: "outage")
            let running = Task { try await onOwnThread { load.run() } }
            // However the test ends, early by a thrown error too, the senders stop.
            defer { load.finish() }
            // The load flows, and gives enough healthy answers to time the outage's by. The deadlines
            // of `eventually` and `health` here are guards that end a stuck test, not timing checks.
            #expect(
                await eventually(within: 60) { load.soFar.filter { $0.status == 200 }.count >= 100 }, "\(nodes.logs)")

            // Down: a clean stop, or one as abrupt as a crash.
            let healthyCount = load.soFar.count
            try await onOwnThread { try cluster.stop(immediately: crash) }
            #expect(await Self.health(nodes, is: 503), "\(nodes.logs)")
            let outageStart = load.soFar.count
            #expect(
                await eventually(within: 60) {
                    load.soFar[outageStart...].filter { $0.status == 503 }.count >= 20
                }, "\(nodes.logs)")
            let during = Array(load.soFar[outageStart...])

            // Back: no node is told; each must find the server again by itself.
            let restartedAt = ContinuousClock.now
            try await onOwnThread { try cluster.start() }
            #expect(await Self.health(nodes, is: 200), "\(nodes.logs)")
            let recoveredAt = load.soFar.count
            #expect(
                await eventually(within: 60) {
                    Set(load.soFar[recoveredAt...].filter { $0.status == 200 }.map(\.port)).count == 2
                }, "a node did not recover\n\(nodes.logs)")
            load.finish()
            let attempts = try await running.value

            #expect(
                !during.isEmpty && during.allSatisfy { $0.status == 503 || $0.status == 200 }, "\(during.map(\.status))"
            )
            #expect(
                attempts.filter { $0.status == 503 }.allSatisfy { $0.retryAfter.flatMap(Int.init) ?? 0 > 0 },
                "a 503 without Retry-After")
            // Never a 500, never a request left without an answer (the client waits 20 s).
            #expect(Set(attempts.map(\.status)).isSubset(of: [200, 503]), "\(Set(attempts.map(\.status)))")
            // None hanging while the server is away: a lost connection is noticed at once, not at
            // the store's 5 s deadline. Measured against the slowest healthy answer of the same run
            // (tens of ms alone, the outage's alike), so a loaded machine stretches both; the wide
            // margin still fails an answer that waited for that deadline. (Those sent once the server
            // is being started may wait for a node's new connection: the 20 s read covers them.)
            let healthy = attempts[..<healthyCount].map(\.seconds).max() ?? 0
            let slowest = attempts[healthyCount...].filter { $0.started < restartedAt }.map(\.seconds).max() ?? 0
            print("outage (crash: \(crash)): slowest answer \(slowest) s, slowest healthy one \(healthy) s")
            #expect(slowest <= 30 * healthy, "slowest answer while away \(slowest) s, slowest healthy one \(healthy) s")

            let emails = attempts.filter { $0.status == 200 }.map(\.email)
            let port = nodes.nodes[0].port
            let lost = try await onOwnThread { try RegistrationLoad.failedLogins(emails, port: port) }
            #expect(
                lost.isEmpty, "\(lost.count) of \(emails.count) acknowledged registrations lost: \(lost.prefix(10))")
            // Each node found the server again by itself, and says so to its operator.
            for index in nodes.nodes.indices {
                let metrics = String(
                    decoding: try await nodes.client(index).send("GET", "/metrics").body, as: UTF8.self)
                let line = metrics.split(separator: "\n").first { $0.hasPrefix("authd_storage_reconnects_total ") }
                #expect((line?.split(separator: " ").last).flatMap { Int($0) } ?? 0 >= 1, "\(line ?? "no line")")
            }
            // More rows than 200s is allowed: a COMMIT whose reply the lost connection swallowed.
            let rows = try await onOwnThread { try database.query("SELECT count(*) FROM users") }
            #expect(try #require(Int(rows)) >= emails.count)
            #expect(try await nodes.stop() == [0, 0], "\(nodes.logs)")
        }
    }
}
