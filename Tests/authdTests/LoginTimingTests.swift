import Foundation
import Testing

extension HeavyFaultSuites {
    /// Whether a login's timing tells who is registered, when the stored hashes have another cost
    /// than new ones. Serialized with the heavy suites: beside them on two cores, wall-clock
    /// medians stretch a hundredfold and drift apart.
    @Suite struct LoginTimingTests {
        @Test func anUnknownEmailTakesAsLongAsAWrongPasswordForUsersStoredAtAnotherCost() async throws {
            let folder = try TemporaryFolder()
            let path = folder.url.appendingPathComponent("seed.db").path
            let users = (0..<3).map { "user\($0)@x.test" }
            // The seed script and authd's start block: on a thread of their own.
            let server = try await onOwnThread {
                try seedStore(["create", path] + users.flatMap { [$0, "right", "10"] })
                // New hashes at 8; the stored ones are at 10. Cost 10 is 4× cost 8: a leak shows as a ratio near 0.25.
                return try AuthdProcess(
                    arguments: ["--bcrypt-cost", "8", "--login-failure-limit", "0", "--hash-threads", "1"],
                    database: path)
            }
            let client = HTTPClient(base: server.baseURL)
            let pid = server.process.processIdentifier
            /// Wall-clock time of one wrong-password login, and the CPU time the server spent on it.
            func sample(_ email: String) async throws -> (wall: Double, cpu: Double) {
                let cpuBefore = try cpuSeconds(of: pid)
                let start = ContinuousClock.now
                let answer = try await client.send("POST", "/sessions", form: ["email": email, "password": "wrong"])
                let (seconds, attoseconds) = (ContinuousClock.now - start).components
                try #require(answer.status == 401)
                return (Double(seconds) + Double(attoseconds) / 1e18, try cpuSeconds(of: pid) - cpuBefore)
            }
            var unknown: [(wall: Double, cpu: Double)] = []
            var known: [(wall: Double, cpu: Double)] = []
            // Interleaved, so that the machine's noise falls on both alike; unknown first, before any known
            // email was verified: the cost comes from the table at start-up.
            for round in 0..<7 {
                unknown.append(try await sample("nobody\(round)@x.test"))
                known.append(try await sample(users[round % users.count]))
            }
            #expect(try await onOwnThread { server.stop() } == 0)
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            let wallRatio = median(unknown.map(\.wall)) / median(known.map(\.wall))
            // The server's CPU time is what bcrypt costs, whatever else runs on the 2 cores meanwhile:
            // the full test suite can stretch a login's wall-clock time a hundredfold.
            let cpuRatio = unknown.map(\.cpu).reduce(0, +) / known.map(\.cpu).reduce(0, +)
            print("unknown/known login: median wall-clock ratio \(wallRatio), server CPU ratio \(cpuRatio)")
            #expect(
                wallRatio > 0.4 && wallRatio < 2.5,
                "wall-clock: unknown \(unknown.map(\.wall)), known \(known.map(\.wall))")
            #expect(cpuRatio > 0.7 && cpuRatio < 1.4, "CPU: unknown \(unknown.map(\.cpu)), known \(known.map(\.cpu))")
        }

        /// CPU seconds process `pid` has used so far, user and system, all threads (`/proc/<pid>/stat`).
        private func cpuSeconds(of pid: Int32) throws -> Double {
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            // After the command name in parentheses (which may hold spaces): state is field 3, utime 14, stime 15.
            let close = try #require(stat.lastIndex(of: ")"))
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            let ticks = try #require(Double(fields[11])) + (try #require(Double(fields[12])))
            return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
    }
}
