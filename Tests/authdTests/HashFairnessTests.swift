import Foundation
import Testing

extension HeavyFaultSuites {
    /// The hash pool shares its threads between clients: one client's flood of correct logins delays
    /// another client's login by about one hash, and the logins of a client that hung up before their
    /// turn are not hashed. With the heavy suites: it keeps both cores hashing and measures a ratio.
    @Suite struct HashFairnessTests {
        private static func post(_ path: String, _ email: String) -> String {
            let body = "email=\(email)%40x.y&password=pw"
            return "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }

        /// The unlabelled samples of `/metrics`, by name.
        private static func metrics(_ port: Int) throws -> [String: Double] {
            let client = try RawClient(port: port)
            try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            guard let page = try client.readResponse()?.bodyText else { throw RawClientError.receive(0) }
            var samples: [String: Double] = [:]
            for line in page.split(separator: "\n") where !line.hasPrefix("#") && !line.contains("{") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let value = Double(parts[1]) { samples[String(parts[0])] = value }
            }
            return samples
        }

        private static func register(_ email: String, port: Int) throws -> Int? {
            let client = try RawClient(port: port, timeoutSeconds: 30)
            try client.send(post("/users", email))
            return try client.readResponse()?.status
        }

        /// Seconds from sending one login to reading its answer, and the answer's status.
        private static func timedLogin(_ client: RawClient, _ email: String) throws -> (seconds: Double, status: Int?) {
            let start = ContinuousClock.now
            try client.send(post("/sessions", email))
            let status = try client.readResponse()?.status
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            return (Double(seconds) + Double(attoseconds) / 1e18, status)
        }

        private static func median(_ values: [Double]) -> Double {
            values.sorted()[values.count / 2]
        }

        /// What `loginDuringFlood` saw.
        private struct Flood: Sendable {
            /// The flood's answers, by status.
            var floodStatuses: [Int: Int] = [:]
            var victimStatuses: [Int?] = []
            /// Jobs waiting when the victim started.
            var queueDepth = 0.0
            /// The median of the victim's login times.
            var victimSeconds = 0.0
            /// The mean bcrypt run while the victim logged in.
            var hashSeconds = 0.0
        }

        @Test func anotherClientsLoginWaitsAboutOneHashWhileOneClientKeepsSixteenInFlight() async throws {
            // Starting authd and the registrations (a hash each) block: on a thread of their own.
            let (server, registered) = try await onOwnThread {
                let server = try AuthdProcess(
                    arguments: ["--bcrypt-cost", "10", "--hash-threads", "2", "--public-metrics"])
                // One account per flooding connection: the per-account throttle would otherwise hold
                // the flood back before the hash pool, which is what this test measures.
                let statuses = try (0..<16).map { try Self.register("flood\($0)", port: server.port) }
                return (server, statuses + [try Self.register("victim", port: server.port)])
            }
            #expect(registered == Array(repeating: 200, count: 17))
            let seen = try await onOwnThread { try Self.loginDuringFlood(server) }
            #expect(seen.floodStatuses.keys.sorted() == [200], "flood answers: \(seen.floodStatuses)")
            #expect(seen.floodStatuses[200, default: 0] >= 16)
            #expect(seen.victimStatuses == [200, 200, 200, 200, 200])
            #expect(seen.queueDepth >= 10, "the flood kept \(seen.queueDepth) jobs waiting")
            // In one FIFO the login waited behind the whole queue: about 7 hashes at this depth.
            let ratio = seen.victimSeconds / seen.hashSeconds
            #expect(ratio <= 3, "login \(seen.victimSeconds) s, one hash \(seen.hashSeconds) s: \(ratio)x")
        }

        /// Sixteen threads from 127.0.0.2 each keep one correct login in flight; meanwhile 127.0.0.3
        /// logs in five times. The median of those logins, and the mean bcrypt time over the same span.
        private static func loginDuringFlood(_ server: AuthdProcess) throws -> Flood {
            let port = server.port
            let stop = Locked(false)
            let seen = Locked(Flood())
            let failure = Locked<(any Error)?>(nil)
            onThreads(17) { index in
                guard index == 16 else {
                    let client = try? RawClient(port: port, timeoutSeconds: 30, from: "127.0.0.2")
                    while !stop.current {
                        let status = client.flatMap { try? timedLogin($0, "flood\(index)").status } ?? -1
                        seen.update { $0.floodStatuses[status, default: 0] += 1 }
                        if status != 200 { break }
                    }
                    return
                }
                defer { stop.update { $0 = true } }
                do {
                    var depth = 0.0
                    // A guard against a flood that never builds a queue (then the check of
                    // `queueDepth` fails), not a timing check.
                    _ = waitUntil(within: 60) {
                        depth = (try? metrics(port)["authd_hash_queue_depth"]) ?? 0
                        return depth >= 10
                    }
                    let before = try metrics(port)
                    let victim = try RawClient(port: port, timeoutSeconds: 30, from: "127.0.0.3")
                    let logins = try (0..<5).map { _ in try timedLogin(victim, "victim") }
                    let after = try metrics(port)
                    let runs =
                        after["authd_bcrypt_runs_total", default: 0] - before["authd_bcrypt_runs_total", default: 0]
                    let time =
                        after["authd_bcrypt_seconds_total", default: 0]
                        - before["authd_bcrypt_seconds_total", default: 0]
                    seen.update {
                        $0.victimStatuses = logins.map(\.status)
                        $0.queueDepth = depth
                        $0.victimSeconds = median(logins.map(\.seconds))
                        $0.hashSeconds = time / max(runs, 1)
                    }
                } catch {
                    failure.update { $0 = error }
                }
            }
            if let error = failure.current { throw error }
            return seen.current
        }

        @Test func loginsOfAClientThatHungUpBeforeTheirTurnAreNotHashed() async throws {
            // Starting authd and 21 registrations at cost 12 (seconds of hashing) block: on a thread
            // of their own.
            let (server, registered) = try await onOwnThread {
                let server = try AuthdProcess(
                    arguments: ["--bcrypt-cost", "12", "--hash-threads", "1", "--public-metrics"])
                // One account per login, so no throttle holds them back before the hash queue.
                let statuses = try (0..<20).map { try Self.register("gone\($0)", port: server.port) }
                return (server, statuses + [try Self.register("gone", port: server.port)])
            }
            #expect(registered == Array(repeating: 200, count: 21))
            let seen = try await onOwnThread { try Self.hangUpWhileQueued(server) }
            #expect(seen.queued >= 20, "\(seen.queued) of 21 logins reached the hash queue")
            #expect(seen.halfClosedStatus == 200, "a half-closed client still gets its answer")
            // The 21 registrations and the half-closed login, and the one or two logins already hashing.
            let hashedLogins = seen.bcryptRuns - 22
            #expect(hashedLogins <= 3, "\(hashedLogins) of the 20 hung-up logins were hashed")
            #expect(seen.abandoned >= 17, "\(seen.abandoned) dropped")
            #expect(Double(hashedLogins) + seen.abandoned == 20, "\(hashedLogins) hashed, \(seen.abandoned) dropped")
            #expect(seen.laterLoginStatus == 200)
            let status = try await onOwnThread { server.stop() }
            #expect(status == 0, "every operation ended: the drain did not wait for a dropped job")
        }

        /// Twenty logins from 127.0.0.2 and one from 127.0.0.3 (which then half-closes) wait behind one
        /// hash thread at cost 12; the twenty connections are then reset.
        private static func hangUpWhileQueued(_ server: AuthdProcess) throws -> (
            queued: Double, halfClosedStatus: Int?, bcryptRuns: Double, abandoned: Double, laterLoginStatus: Int?
        ) {
            let port = server.port
            let leaving = try (0..<20).map { _ in try RawClient(port: port, from: "127.0.0.2") }
            for (index, client) in leaving.enumerated() { try client.send(post("/sessions", "gone\(index)")) }
            let halfClosed = try RawClient(port: port, timeoutSeconds: 60, from: "127.0.0.3")
            try halfClosed.send(post("/sessions", "gone"))
            shutdown(halfClosed.fd, Int32(SHUT_WR))
            var queued = 0.0
            // Guards that end a stuck test (the counts are what is checked), not timing checks.
            _ = waitUntil(within: 60) {
                let samples = (try? metrics(port)) ?? [:]
                queued = samples["authd_hash_queue_depth", default: 0] + samples["authd_hash_threads_busy", default: 0]
                return queued >= 21
            }
            for client in leaving { client.reset() }
            let halfClosedStatus = try halfClosed.readResponse()?.status
            // Every job ends hashed or dropped: the 21 registrations and the 21 logins.
            var samples: [String: Double] = [:]
            _ = waitUntil(within: 60) {
                samples = (try? metrics(port)) ?? [:]
                return samples["authd_bcrypt_runs_total", default: 0]
                    + samples["authd_hash_jobs_abandoned_total", default: 0] >= 42
            }
            let later = try RawClient(port: port, timeoutSeconds: 30, from: "127.0.0.4")
            let laterStatus = try timedLogin(later, "gone").status
            return (
                queued, halfClosedStatus, samples["authd_bcrypt_runs_total", default: -1],
                samples["authd_hash_jobs_abandoned_total", default: -1], laterStatus
            )
        }
    }
}
