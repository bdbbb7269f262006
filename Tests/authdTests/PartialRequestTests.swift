import Foundation
import Testing

/// Connections share one request parser between requests and keep their own only while a request
/// is arriving in pieces: interleaved pieces on several connections must each still parse whole.
@Suite struct PartialRequestTests {
    /// Long enough for the server to read each piece on its own.
    private static func pause() { usleep(100_000) }

    @Test func requestsArrivingInPiecesOnSeveralConnectionsAtOnceEachParseWhole() throws {
        let server = try AuthdProcess()
        defer { _ = server.stop() }
        let a = try RawClient(port: server.port)
        let b = try RawClient(port: server.port)
        let body = "email=piece%40b.c&password=pw"
        // A: the head and half the body; B meanwhile sends a whole request, then half a head.
        try a.send(
            "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body.prefix(12))")
        Self.pause()
        try b.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try b.readResponse()?.status == 200)
        try b.send("GET /nowh")
        Self.pause()
        try a.send(String(body.dropFirst(12)))
        let created = try #require(try a.readResponse())
        #expect(created.status == 200 && created.json["email"] == "piece@b.c")
        try b.send("ere HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try b.readResponse()?.status == 404)
        // And the shared parser still starts each new request afresh.
        try a.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let welcome = try #require(try a.readResponse())
        #expect(welcome.status == 200 && welcome.json["message"] == "Bienvenue")
    }
}
