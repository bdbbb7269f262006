import Foundation
import Testing

extension HeavyFaultSuites {
    /// A client that pipelines requests and never reads is dropped after the write timeout, its
    /// queued output freed, instead of holding the connection forever.
    @Suite struct WriteStallTests {
        @Test func aClientThatNeverReadsIsDroppedAfterTheWriteTimeout() async throws {
            let server = try AuthdProcess(arguments: ["--write-timeout", "1"])
            let pid = server.process.processIdentifier
            let baseline = ProcessProbe.openFiles(pid)
            let (failure, elapsed) = try await onOwnThread { try Self.sendWithoutReading(port: server.port) }
            #expect(failure == ECONNRESET || failure == EPIPE, "sending ended with errno \(failure)")
            #expect(elapsed < 30)
            #expect(await eventually(within: 10) { ProcessProbe.openFiles(pid) <= baseline })
            #expect(try server.stillServes())
        }

        @Test func aClientThatReadsSlowlyIsNotDropped() async throws {
            let server = try AuthdProcess(arguments: ["--write-timeout", "1"])
            let statuses = try await onOwnThread {
                let client = try RawClient(port: server.port)
                try client.send(String(repeating: "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", count: 50))
                return try (0..<50).map { index in
                    if index % 10 == 0 { Thread.sleep(forTimeInterval: 0.5) }
                    return try client.readResponse()?.status
                }
            }
            #expect(statuses == Array(repeating: 404, count: 50))
        }

        /// Pipelines requests until the server drops the connection (or 30 s pass); returns the
        /// errno that ended it and the time taken.
        private static func sendWithoutReading(port: Int) throws -> (Int32, Double) {
            let client = try RawClient(port: port)
            var small: Int32 = 4096
            setsockopt(client.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            var sendTimeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(client.fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
            let requests = Array(String(repeating: "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", count: 1000).utf8)
            let start = Date()
            while Date().timeIntervalSince(start) < 30 {
                let sent = requests.withUnsafeBytes { send(client.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent < 0, errno != EAGAIN, errno != EINTR { return (errno, Date().timeIntervalSince(start)) }
            }
            return (0, Date().timeIntervalSince(start))
        }
    }
}
