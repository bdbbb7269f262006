import Foundation
import Testing

extension HeavyFaultSuites {
    /// With only 64 descriptors and more clients than that, authd serves the connections it holds,
    /// leaves the rest in the backlog instead of failing, and takes them as descriptors free up.
    @Suite struct FileLimitTests {
        @Test func moreClientsThanDescriptorsAreAllServedAsOthersClose() async throws {
            let server = try AuthdProcess()
            let pid = server.process.processIdentifier
            let limited = try run("/usr/bin/prlimit", ["--pid", "\(pid)", "--nofile=64:64"])
            #expect(limited.status == 0, "\(limited.output)")
            let clients = 150
            let seen = try await onOwnThread { Self.crowd(clients, against: server) }
            #expect(seen.connected == clients)
            #expect(seen.peak >= 60, "authd never reached its limit (peak \(seen.peak) fds)")
            #expect(seen.statuses.count == clients)
            #expect(seen.statuses.allSatisfy { $0 == 200 })
            #expect(seen.descriptorsReleased)
            #expect(try server.stillServes())
        }

        /// Connects `clients` at once, then each sends a request and waits for its answer.
        private static func crowd(_ clients: Int, against server: AuthdProcess)
            -> (connected: Int, peak: Int, statuses: [Int], descriptorsReleased: Bool)
        {
            let pid = server.process.processIdentifier
            let baseline = ProcessProbe.openFiles(pid)

            let statuses = Locked([Int]())
            let peak = Locked(0)
            let connected = Locked(0)
            onThreads(clients) { _ in
                guard let client = try? RawClient(port: server.port, timeoutSeconds: 30) else { return }
                connected.update { $0 += 1 }
                // Hold every connection until all are connected, so authd really runs out.
                _ = waitUntil(within: 10) { connected.current == clients }
                peak.update { $0 = max($0, ProcessProbe.openFiles(pid)) }
                try? client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                let status = (try? client.readResponse())??.status ?? 0
                statuses.update { $0.append(status) }
                Thread.sleep(forTimeInterval: 0.3)
            }
            let released = waitUntil(within: 30) { ProcessProbe.openFiles(pid) <= baseline }
            return (connected.current, peak.current, statuses.current, released)
        }
    }
}
