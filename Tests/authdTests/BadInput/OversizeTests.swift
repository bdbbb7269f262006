import Testing

/// Heads, header counts, bodies and cookies over the limits get their own 4xx and a close.
@Suite struct OversizeTests {
    let server: AuthdProcess

    init() throws { server = try AuthdProcess() }

    @Test func aHeadOverSixteenKiBGets431() throws {
        let big = "GET / HTTP/1.1\r\nHost: x\r\nX-A: " + String(repeating: "a", count: 17_000) + "\r\n\r\n"
        try expectRefused(server.refusal(of: big), 431, "request header fields too large", by: server)
    }

    @Test func aHundredAndOneHeadersGet431() throws {
        let many = "GET / HTTP/1.1\r\nHost: x\r\n" + (0..<101).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        try expectRefused(server.refusal(of: many), 431, "too many header fields", by: server)
    }

    @Test func aOneMegabyteCookieGets431() throws {
        let cookie =
            "GET /profile HTTP/1.1\r\nHost: x\r\nCookie: session_id=" + String(repeating: "a", count: 1 << 20)
            + "\r\n\r\n"
        try expectRefused(server.refusal(of: cookie), 431, "request header fields too large", by: server)
    }

    @Test func aBodyOverTheLimitGets413EvenWhileStillUploading() throws {
        let sent = formPost(body: [UInt8](repeating: UInt8(ascii: "a"), count: 200_000))
        try expectRefused(server.refusal(of: sent), 413, "request body too large", by: server)
    }

    @Test func aChunkedBodyOverTheLimitGets413() throws {
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 40_000)
        let framed = Array("9c40\r\n".utf8) + chunk + Array("\r\n9c40\r\n".utf8) + chunk + Array("\r\n0\r\n\r\n".utf8)
        let sent = formPost(body: framed, headers: "Transfer-Encoding: chunked\r\n")
        try expectRefused(server.refusal(of: sent), 413, "request body too large", by: server)
    }

    @Test func aTargetOverEightKiBGets414() throws {
        let long = "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n"
        try expectRefused(server.refusal(of: long), 414, "request target too long", by: server)
    }
}
