import Foundation
import Testing

/// A request cut short, then silence, ends in 408 and a close at the request timeout.
@Suite struct IncompleteBodyTests {
    let server: AuthdProcess

    init() throws { server = try AuthdProcess(arguments: ["--request-timeout", "2"]) }

    @Test func aBodyShorterThanItsLengthThenSilenceGets408AndClose() async throws {
        let server = self.server
        let (refusal, elapsed) = try await onOwnThread {
            let start = Date()
            let refusal = try server.refusal(
                of: formPost(body: Array("email=a".utf8), headers: "Content-Length: 50\r\n"))
            return (refusal, Date().timeIntervalSince(start))
        }
        try expectRefused(refusal, 408, "request timeout", by: server)
        #expect(elapsed >= 1.5 && elapsed < 15, "answered after \(elapsed) s")
    }

    @Test func aHeadCutShortThenSilenceGets408AndClose() async throws {
        let server = self.server
        let refusal = try await onOwnThread { try server.refusal(of: "GET / HTTP/1.1\r\nHost: x\r\nX-A:") }
        try expectRefused(refusal, 408, "request timeout", by: server)
    }
}
