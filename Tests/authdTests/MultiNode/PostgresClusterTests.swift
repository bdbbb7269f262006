import Foundation
import Testing

extension MultiNodeSuites {
    /// The failover tests rest on `PostgresCluster`: proved here on its own, through `psql` only,
    /// so that a failure there is told apart from one in authd.
    @Suite struct PostgresClusterTests {
        @Test func aStandbyStreamsThePrimarysWritesAndTakesWritesOnceItIsPromoted() async throws {
            let primary = try await onOwnThread { try PostgresCluster() }
            try PostgresEnvironment.query(primary.adminURL, "CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
            let standby = try await onOwnThread { try primary.standby() }
            #expect(try PostgresEnvironment.query(standby.adminURL, "SELECT pg_is_in_recovery()") == "t")
            // Streamed, not only copied by the base backup: a row written after it arrives.
            try PostgresEnvironment.query(primary.adminURL, "INSERT INTO t VALUES (2)")
            let streamed = await eventually(within: 10) {
                (try? PostgresEnvironment.query(standby.adminURL, "SELECT count(*) FROM t")) == "2"
            }
            #expect(streamed, "\(standby.log)")
            #expect(throws: PostgresError.self) {
                try PostgresEnvironment.query(standby.adminURL, "INSERT INTO t VALUES (3)")
            }

            try await onOwnThread { try primary.stop() }
            try await onOwnThread { try standby.promote() }
            #expect(try PostgresEnvironment.query(standby.adminURL, "SELECT pg_is_in_recovery()") == "f")
            try PostgresEnvironment.query(standby.adminURL, "INSERT INTO t VALUES (3)")
            #expect(try PostgresEnvironment.query(standby.adminURL, "SELECT count(*) FROM t") == "3")
            // A fresh database on a cluster of our own, as the other tests use it.
            let database = try standby.createDatabase()
            #expect(try database.query("SELECT current_database()") == database.name)
        }
    }
}
