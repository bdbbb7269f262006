import Foundation
import Testing

/// Connection caps: one client holding every connection it may never keeps another out; past a cap
/// the oldest idle keep-alive connection makes room, and when none is idle a newcomer gets 503.
@Suite struct ConnectionCapTests {
    private static let get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

    /// True only when the server closed `client` (EOF or reset) within 5 s; a timeout is false.
    private static func closedByServer(_ client: RawClient) -> Bool {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        let received = recv(client.fd, &byte, 1, 0)
        return received == 0 || (received < 0 && errno == ECONNRESET)
    }

    /// Polls the log for `text`, which arrives through a pipe, for up to 5 s; how many lines hold it.
    private static func lines(_ server: AuthdProcess, containing text: String) -> Int {
        let limit = Date().addingTimeInterval(5)
        while !server.log.contains(text) && Date() < limit { Thread.sleep(forTimeInterval: 0.05) }
        return server.log.components(separatedBy: text).count - 1
    }

    private static func metric(_ port: Int, _ series: String) throws -> Double? {
        let client = try RawClient(port: port)
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let page = String(decoding: try #require(try client.readResponse()).body, as: UTF8.self)
        return page.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap {
            Double($0.dropFirst(series.count + 1))
        }
    }

    @Test func aClientAtItsCapLosesItsOldestIdleConnectionThenGets503AndOthersAreServed() throws {
        let server = try AuthdProcess(arguments: ["--max-connections-per-client", "10", "--public-metrics"])
        // Ten keep-alive connections, each answered once and now idle.
        let idle = try (0..<10).map { _ in try RawClient(port: server.port, from: "127.0.0.2") }
        for client in idle {
            try client.send(Self.get)
            #expect(try client.readResponse()?.status == 200)
        }
        // An eleventh: the oldest idle one is closed to make room, and the newcomer is served.
        let newcomer = try RawClient(port: server.port, from: "127.0.0.2")
        try newcomer.send(Self.get)
        #expect(try newcomer.readResponse()?.status == 200)
        #expect(Self.closedByServer(idle[0]))

        // Now ten connections that are all mid-request: none idle, so newcomers are refused.
        let busy = try (0..<10).map { _ in try RawClient(port: server.port, from: "127.0.0.4") }
        for client in busy { try client.send("GET / HTTP/1.1\r\nHost: x\r\n") }
        Thread.sleep(forTimeInterval: 0.2)
        for _ in 0..<3 {
            let refused = try RawClient(port: server.port, from: "127.0.0.4")
            let answer = try #require(try refused.readResponse())
            #expect(answer.status == 503 && answer.header("Retry-After") != nil)
            #expect(answer.json == ["message": "too many connections; retry shortly"])
            #expect(refused.isClosedByPeer())
        }
        // Another client is not shut out.
        let start = Date()
        let other = try RawClient(port: server.port, from: "127.0.0.3")
        try other.send(Self.get)
        #expect(try other.readResponse()?.status == 200)
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(try Self.metric(server.port, #"authd_connections_refused_total{cap="client"}"#) == 3)
        #expect(try Self.metric(server.port, #"authd_connections_closed_for_room_total{cap="client"}"#) == 1)
        // One log line for the episode, not one per refusal.
        #expect(Self.lines(server, containing: "refusing connections") == 1)
        // The busy ones finish their requests and are answered.
        for client in busy { try client.send("\r\n") }
        for client in busy { #expect(try client.readResponse()?.status == 200) }
    }

    @Test func theProcessCapMakesRoomFromAnyClientsIdleConnection() throws {
        let server = try AuthdProcess(arguments: ["--max-connections", "12"])
        let held = try (0..<12).map { index in try RawClient(port: server.port, from: "127.0.1.\(index + 1)") }
        for client in held {
            try client.send(Self.get)
            #expect(try client.readResponse()?.status == 200)
        }
        let newcomer = try RawClient(port: server.port, from: "127.0.2.1")
        try newcomer.send(Self.get)
        #expect(try newcomer.readResponse()?.status == 200)
        #expect(Self.closedByServer(held[0]))
    }

    // MARK: behind a trusted proxy

    @Test func behindATrustedProxyOneClientsConnectionsNeverShutOutAnother() throws {
        let server = try AuthdProcess(arguments: [
            "--trusted-proxy", "127.0.0.5", "--max-connections-per-client", "4", "--max-connections", "8",
        ])
        // Four proxied connections whose heads never end: no client is named on them yet.
        let busy = try (0..<4).map { _ in try RawClient(port: server.port, from: "127.0.0.5") }
        for client in busy { try client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.66\r\n") }
        Thread.sleep(forTimeInterval: 0.2)
        // Another client behind the proxy is served: the proxy's connections meet the total cap alone.
        let other = try RawClient(port: server.port, from: "127.0.0.5")
        try other.send("GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n")
        #expect(try other.readResponse()?.status == 200)
        // That cap holds: eight open (the answered one is idle and makes room once), then 503.
        let more = try (0..<4).map { _ in try RawClient(port: server.port, from: "127.0.0.5") }
        for client in more { try client.send("GET / HTTP/1.1\r\nHost: x\r\n") }
        Thread.sleep(forTimeInterval: 0.2)
        let refused = try RawClient(port: server.port, from: "127.0.0.5")
        #expect(try refused.readResponse()?.status == 503)
        #expect(Self.closedByServer(other))
        for client in busy + more { try client.send("\r\n") }
        for client in busy + more { #expect(try client.readResponse()?.status == 200) }
    }

    @Test func withPROXYHeadersEachConnectionCountsUnderTheClientItsHeaderNames() throws {
        let server = try AuthdProcess(arguments: [
            "--proxy-protocol", "--trusted-proxy", "127.0.0.5", "--max-connections-per-client", "4", "--public-metrics",
        ])
        func proxied(_ client: String) throws -> RawClient {
            let connection = try RawClient(port: server.port, from: "127.0.0.5")
            try connection.send("PROXY TCP4 \(client) 127.0.0.1 4711 \(server.port)\r\n")
            return connection
        }
        let busy = try (0..<4).map { _ in try proxied("198.51.100.66") }
        for client in busy { try client.send("GET / HTTP/1.1\r\nHost: x\r\n") }
        Thread.sleep(forTimeInterval: 0.2)
        // Another client behind the same proxy is served...
        let other = try proxied("203.0.113.7")
        try other.send(Self.get)
        #expect(try other.readResponse()?.status == 200)
        // ...and the first one, at its cap with none idle, gets 503 once its header names it.
        let fifth = try proxied("198.51.100.66")
        let answer = try #require(try fifth.readResponse())
        #expect(answer.status == 503 && answer.header("Retry-After") != nil)
        #expect(fifth.isClosedByPeer())
        #expect(try Self.metric(server.port, #"authd_connections_refused_total{cap="client"}"#) == 1)
        for client in busy { try client.send("\r\n") }
        for client in busy { #expect(try client.readResponse()?.status == 200) }
    }
}
