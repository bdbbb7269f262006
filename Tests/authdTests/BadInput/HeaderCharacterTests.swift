import Testing

/// NUL and bare CR inside a head are refused, never taken as line ends.
@Suite struct HeaderCharacterTests {
    let server: AuthdProcess

    init() throws { server = try AuthdProcess() }

    @Test func aNulInAHeaderValueGets400() throws {
        let sent = Array("GET / HTTP/1.1\r\nHost: x\r\nX-A: a".utf8) + [0] + Array("b\r\n\r\n".utf8)
        try expectRefused(server.refusal(of: sent), 400, "invalid character in header field value", by: server)
    }

    @Test func aNulInAHeaderNameGets400() throws {
        let sent = Array("GET / HTTP/1.1\r\nHost: x\r\nX".utf8) + [0] + Array("A: b\r\n\r\n".utf8)
        try expectRefused(server.refusal(of: sent), 400, "invalid header field name", by: server)
    }

    @Test func aBareCRInAHeaderValueGets400() throws {
        try expectRefused(
            server.refusal(of: "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n"), 400,
            "invalid character in header field value", by: server)
    }

    @Test func aBareCREndingTheRequestLineGets400() throws {
        try expectRefused(
            server.refusal(of: "GET / HTTP/1.1\rHost: x\r\n\r\n"), 400, "malformed request line", by: server)
    }
}
