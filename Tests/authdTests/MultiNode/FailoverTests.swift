import Foundation
import Testing

extension MultiNodeSuites {
    /// A primary with a streaming standby; the nodes know both through a libpq multi-host URI with
    /// `target_session_attrs=read-write`. The primary stops, the standby is promoted, and the nodes
    /// carry on against it without a restart or a new setting.
    @Suite struct FailoverTests {
        @Test func nodesOnAMultiHostURIFollowAPromotedStandby() async throws {
            let primary = try await onOwnThread { try PostgresCluster() }
            let database = try primary.createDatabase()
            // After the database exists, so the base backup carries it.
            let standby = try await onOwnThread { try primary.standby() }
            #expect(
                try PostgresEnvironment.query(standby.adminURL, "SELECT pg_is_in_recovery()") == "t", "\(standby.log)")
            let url =
                "postgresql://postgres@\(primary.hostAndPort),\(standby.hostAndPort)/\(database.name)"
                + "?target_session_attrs=read-write&connect_timeout=2"
            let nodes = try await AuthdNodes.start(2, database: url, ["--address-request-limit", "0"])
            let load = RegistrationLoad(ports: nodes.nodes.map(\.port), threads: 4, prefix: "failover")
            let running = Task { try await onOwnThread { load.run() } }
            // However the test ends, early by a thrown error too, the senders stop.
            defer { load.finish() }
            #expect(
                await eventually(within: 20) { load.soFar.filter { $0.status == 200 }.count >= 40 }, "\(nodes.logs)")

            // A fast stop sends the standby all the WAL before the primary exits, so every 200
            // given so far is on the standby too (asynchronous replication promises no more).
            try await onOwnThread { try primary.stop() }
            let beforePromotion = load.soFar.filter { $0.status == 200 }.count
            try await onOwnThread { try standby.promote() }
            // Only the promoted standby can have committed what is answered from here on.
            let promotedAt = load.soFar.count
            #expect(
                await eventually(within: 30) {
                    Set(load.soFar[promotedAt...].filter { $0.status == 200 }.map(\.port)).count == 2
                }, "the nodes did not carry on against the promoted standby\n\(nodes.logs)")
            let carriedOnAt = load.soFar.count
            _ = await eventually(within: 10) { load.soFar.count >= carriedOnAt + 40 }
            load.finish()
            let attempts = try await running.value

            #expect(Set(attempts.map(\.status)).isSubset(of: [200, 503]), "\(Set(attempts.map(\.status)))")
            let afterPromotion = attempts[promotedAt...].filter { $0.status == 200 }.map(\.email)
            #expect(beforePromotion >= 40 && afterPromotion.count > 0)
            let everything = attempts.filter { $0.status == 200 }.map(\.email)
            let port = nodes.nodes[1].port
            let lost = try await onOwnThread { try RegistrationLoad.failedLogins(everything, port: port) }
            #expect(
                lost.isEmpty, "\(lost.count) of \(everything.count) acknowledged registrations lost: \(lost.prefix(10))"
            )
            // The rows are on the promoted standby itself, not somewhere else the nodes found.
            let onStandby = try PostgresEnvironment.query(
                try PostgresDatabase.replacingDatabase(in: standby.adminURL, with: database.name),
                "SELECT count(*) FROM users")
            #expect(try #require(Int(onStandby)) >= everything.count)
            #expect(try await nodes.stop() == [0, 0], "\(nodes.logs)")
        }
    }
}
