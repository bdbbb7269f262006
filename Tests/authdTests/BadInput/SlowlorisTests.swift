import Foundation
import Testing

extension HeavyFaultSuites {
    /// Hundreds of clients dribbling a head byte per second get 408 and are closed at the request
    /// timeout, while normal clients beside them are answered as usual.
    @Suite struct SlowlorisTests {
        @Test func slowHeadsGet408AndCloseWhileNormalClientsAreServed() async throws {
            let server = try AuthdProcess(arguments: ["--request-timeout", "2"])
            let seen = try await onOwnThread { try Self.slowloris(against: server, slowCount: 300) }
            #expect(seen.normal.count == 200)
            #expect(seen.normal.allSatisfy { $0 == 200 })
            #expect(seen.slowest < 5, "a normal request waited \(seen.slowest) s")
            #expect(seen.timedOut == 300)
            #expect(seen.closed == 300)
            #expect(seen.descriptorsReleased)
            #expect(try server.stillServes())
        }

        /// Dribbles heads on `slowCount` connections while 20 clients send 10 requests each.
        private static func slowloris(against server: AuthdProcess, slowCount: Int) throws
            -> (normal: [Int], slowest: Double, timedOut: Int, closed: Int, descriptorsReleased: Bool)
        {
            let pid = server.process.processIdentifier
            let baseline = ProcessProbe.openFiles(pid)
            let slow = try (0..<slowCount).map { _ in try RawClient(port: server.port, timeoutSeconds: 20) }
            let head = Array("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefgh\r\n\r\n".utf8)
            let dribbling = Locked(true)
            let slowSockets = slow.map(\.fd)
            Thread {
                var next = 0
                while dribbling.current, next < head.count {
                    // Errors are expected once the server has answered 408 and closed.
                    for fd in slowSockets {
                        _ = [head[next]].withUnsafeBytes { send(fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }
                    }
                    next += 1
                    Thread.sleep(forTimeInterval: 1)
                }
            }.start()

            let statuses = Locked([Int]())
            let slowest = Locked(0.0)
            onThreads(20) { index in
                guard let client = try? RawClient(port: server.port) else { return }
                for request in 0..<10 {
                    let body = "email=n\(index)-\(request)%40x&password=pw"
                    let sent =
                        request % 2 == 0
                        ? "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                        : "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                    let start = Date()
                    try? client.send(sent)
                    let status = (try? client.readResponse())??.status ?? 0
                    let elapsed = Date().timeIntervalSince(start)
                    statuses.update { $0.append(status) }
                    slowest.update { $0 = max($0, elapsed) }
                    Thread.sleep(forTimeInterval: 0.2)  // normal clients are spread over the slow period
                }
            }

            Thread.sleep(forTimeInterval: 2.5)  // past the 2 s request timeout for every slow head
            dribbling.update { $0 = false }
            var timedOut = 0
            var closed = 0
            for client in slow {
                if let answer = try client.readResponse(), answer.status == 408,
                    answer.json == ["message": "request timeout"]
                {
                    timedOut += 1
                }
                if client.isClosedByPeer() { closed += 1 }
            }
            let released = waitUntil(within: 10) { ProcessProbe.openFiles(pid) <= baseline }
            return (statuses.current, slowest.current, timedOut, closed, released)
        }
    }
}
