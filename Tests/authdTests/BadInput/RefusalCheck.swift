import Foundation
import Testing

/// What one hostile request got: the answer, and whether the server closed after it (nil when
/// the answer keeps the connection open, so no read waits for a close that is not coming).
struct Refusal {
    var answer: RawResponse?
    var closed: Bool?
}

extension AuthdProcess {
    /// Sends `bytes` on a fresh connection (ignoring send errors: the server may refuse early)
    /// and reads the answer and what follows it.
    func refusal(of bytes: [UInt8]) throws -> Refusal {
        let client = try RawClient(port: port)
        try? client.send(bytes)
        let answer = (try? client.readResponse()) ?? nil
        let keepsOpen = answer.map { $0.header("Connection")?.lowercased() != "close" } ?? false
        return Refusal(answer: answer, closed: keepsOpen ? nil : client.isClosedByPeer())
    }

    func refusal(of text: String) throws -> Refusal {
        try refusal(of: Array(text.utf8))
    }

    /// True when a plain request on a new connection is answered 200: the server survived.
    func stillServes() throws -> Bool {
        let client = try RawClient(port: port)
        try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        return try client.readResponse()?.status == 200
    }
}

/// Expects a precise status and JSON message, the connection closed (`closes`) or kept, and the
/// server still serving others.
func expectRefused(
    _ refusal: Refusal, _ status: Int, _ message: String, closes: Bool = true, by server: AuthdProcess,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(refusal.answer?.status == status, sourceLocation: sourceLocation)
    #expect(refusal.answer?.json == ["message": message], sourceLocation: sourceLocation)
    #expect(refusal.closed == (closes ? true : nil), sourceLocation: sourceLocation)
    #expect(try server.stillServes(), sourceLocation: sourceLocation)
}

/// A POST of an urlencoded `body` with the given extra header lines (each ending in CRLF).
func formPost(_ path: String = "/users", body: [UInt8], headers: String? = nil) -> [UInt8] {
    let head =
        "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + (headers ?? "Content-Length: \(body.count)\r\n") + "\r\n"
    return Array(head.utf8) + body
}
