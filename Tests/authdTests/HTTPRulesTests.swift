import Foundation
import Testing

/// HTTP rules on raw sockets that clients and browsers rely on: HTTP/1.0 framing, the Host field's
/// syntax, interim answers, the length a HEAD answer announces, and the fields every answer carries.
@Suite struct HTTPRulesTests {
    let server: AuthdProcess

    init() throws {
        server = try AuthdProcess()
    }

    /// What follows the head of the first answer in `bytes`: its headers, and the bytes after it.
    private static func splitHead(_ bytes: [UInt8]) throws -> (head: String, rest: [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        let end = try #require((0...(bytes.count - 4)).first { Array(bytes[$0..<$0 + 4]) == separator })
        return (String(decoding: bytes[..<end], as: UTF8.self), Array(bytes[(end + 4)...]))
    }

    private static func contentLength(_ head: String) -> Int? {
        head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
    }

    @Test func anHTTP10RequestWithTransferEncodingGets400AndCloses() throws {
        // Decoded as chunked and kept open, the GET behind it would run as a request of its own.
        let sent =
            "POST /users HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"
        try expectRefused(server.refusal(of: sent), 400, "Transfer-Encoding in an HTTP/1.0 request", by: server)
    }

    @Test(arguments: ["two words", "a/b", "user@host", "x:80:80", "[::1", "[]", "a:b", "%zz", "a b:80"])
    func aHostThatIsNoHostGets400(host: String) throws {
        let sent = "GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n"
        try expectRefused(server.refusal(of: sent), 400, "invalid Host header", by: server)
    }

    @Test(arguments: [
        "", "x", "example.com:8080", "127.0.0.1", "[::1]:5000", "[v1.fe]", "xn--bcher-kva.example", "a%41b:",
    ])
    func anyValidHostIsServed(host: String) throws {
        let client = try RawClient(port: server.port)
        try client.send("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")
        #expect(try client.readResponse()?.status == 200)
    }

    @Test func anHTTP10ClientThatExpects100ContinueGetsOnlyTheAnswer() throws {
        let body = "email=old%40b.c&password=pw"
        let client = try RawClient(port: server.port)
        try client.send(
            "POST /users HTTP/1.0\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Expect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        // Long enough for a 100 Continue to be on its way, were one sent.
        Thread.sleep(forTimeInterval: 0.3)
        try client.send(body)
        let answer = try #require(try client.readResponse())
        #expect(answer.status == 200)
        #expect(client.isClosedByPeer())
    }

    @Test(arguments: ["/", "/openapi.json", "/profile", "/nope"])
    func aHEADAnswerAnnouncesTheLengthOfTheGETAnswerAndSendsNoBody(path: String) throws {
        let client = try RawClient(port: server.port)
        try client.send(
            "HEAD \(path) HTTP/1.1\r\nHost: x\r\n\r\nGET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let (headHead, afterHead) = try Self.splitHead(try client.readToEnd())
        let (getHead, getBody) = try Self.splitHead(afterHead)
        #expect(headHead.hasPrefix("HTTP/1.1 ") && getHead.hasPrefix("HTTP/1.1 "), "no body between the answers")
        #expect(headHead.prefix(12) == getHead.prefix(12))
        let announced = try #require(Self.contentLength(headHead))
        #expect(announced > 0)
        #expect(announced == Self.contentLength(getHead))
        #expect(announced == getBody.count)
    }

    @Test func everyAnswerForbidsSniffingAndFraming() throws {
        let body = "email=hdr%40b.c&password=pw"
        let requests = [
            "GET / HTTP/1.1\r\nHost: x\r\n",
            "GET /nope HTTP/1.1\r\nHost: x\r\n",
            "HEAD /profile HTTP/1.1\r\nHost: x\r\n",
            "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(body.utf8.count)\r\n",
            "GET / HTTP/1.1\r\nHost: a/b\r\n",
        ]
        for request in requests {
            let client = try RawClient(port: server.port)
            try client.send(request + "Connection: close\r\n\r\n" + (request.hasPrefix("POST") ? body : ""))
            let (head, _) = try Self.splitHead(try client.readToEnd())
            let lines = Set(head.split(separator: "\r\n").map(String.init))
            #expect(lines.contains("X-Content-Type-Options: nosniff"), "\(request)")
            #expect(lines.contains("X-Frame-Options: DENY"), "\(request)")
            #expect(lines.contains("Content-Security-Policy: frame-ancestors 'none'"), "\(request)")
        }
    }
}
