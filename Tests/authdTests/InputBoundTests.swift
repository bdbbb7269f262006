import Foundation
import Testing

/// What a connection's input may cost the server: pipelined requests waiting behind a slow one are
/// bounded in bytes (a small multiple of `--max-body`), not only in number.
@Suite struct InputBoundTests {
    /// The server's resident memory in bytes (`VmRSS`).
    private static func residentBytes(_ server: AuthdProcess) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let kilobytes = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        return kilobytes * 1024
    }

    /// An urlencoded POST to `path` whose body is `size` bytes.
    private static func post(_ path: String, size: Int, email: String) -> [UInt8] {
        let start = "email=\(email)&password="
        let body = start + String(repeating: "p", count: size - start.utf8.count)
        return formPost(path, body: Array(body.utf8))
    }

    @Test func pipelinedBodiesBehindASlowRequestHoldAFewBodiesPerConnectionNotSixtyFour() throws {
        // One hash thread at a high cost: each connection's first login waits its turn for seconds,
        // and the unsafe requests behind it may not start before it is answered.
        let server = try AuthdProcess(arguments: [
            "--bcrypt-cost", "15", "--hash-threads", "1", "--shutdown-grace", "0",
        ])
        let baseline = try Self.residentBytes(server)
        let connections = 8
        let clients = try (0..<connections).map { _ in try RawClient(port: server.port) }
        for (index, client) in clients.enumerated() {
            // A send that the server stops reading gives up after half a second.
            var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
            setsockopt(client.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var bytes = formPost("/sessions", body: Array("email=nobody\(index)%40b.c&password=x".utf8))
            for _ in 0..<63 { bytes += Self.post("/users", size: 60_000, email: "big\(index)%40b.c") }
            try? client.send(bytes)
        }
        Thread.sleep(forTimeInterval: 0.5)
        let grown = try Self.residentBytes(server) - baseline
        // 63 bodies of 60 kB each on eight connections would be 29 MiB; the bound leaves about a
        // quarter of a MiB per connection.
        #expect(grown < 8 * 1024 * 1024, "resident memory grew by \(grown / 1024) KiB")
        // Not SIGTERM: the one hash thread would first finish the eight cost-15 logins.
        kill(server.process.processIdentifier, SIGKILL)
    }

    @Test func aConnectionPausedByItsBytesResumesAndAnswersEveryRequest() throws {
        let server = try AuthdProcess()
        let client = try RawClient(port: server.port)
        var bytes: [UInt8] = []
        for index in 0..<20 { bytes += Self.post("/users", size: 60_000, email: "long\(index)%40b.c") }
        try client.send(bytes)
        for _ in 0..<20 { #expect(try client.readResponse()?.status == 400) }
    }
}
