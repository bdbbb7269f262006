import HTTPParser
import Testing

@Suite struct ExpectContinueTests {
    @Test func expectsContinueWhileTheBodyIsMissing() {
        var parser = RequestParser()
        let head = Array("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\n".utf8)
        #expect(!parser.expectsContinue)
        let partial = head.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<20])) }
        #expect(Outcome(partial) == .needMore)
        #expect(!parser.expectsContinue, "the head is not complete yet")
        let headOnly = head.withUnsafeBytes { parser.parse($0) }
        #expect(Outcome(headOnly) == .needMore)
        #expect(parser.expectsContinue)
        let whole = head + Array("body".utf8)
        let done = whole.withUnsafeBytes { parser.parse($0) }
        guard case .request(let request, _) = done else {
            Issue.record("expected the request, got \(done)")
            return
        }
        #expect(request.body == Array("body".utf8))
        #expect(!parser.expectsContinue)
    }

    @Test func expectsContinueForAChunkedBodyToo() {
        var parser = RequestParser()
        let head = Array(
            "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n".utf8)
        _ = head.withUnsafeBytes { parser.parse($0) }
        #expect(parser.expectsContinue)
    }

    @Test func doesNotExpectContinueWithoutTheHeader() {
        var parser = RequestParser()
        let head = Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n".utf8)
        _ = head.withUnsafeBytes { parser.parse($0) }
        #expect(!parser.expectsContinue)
    }

    @Test func aRequestWithoutABodyCompletesAtOnce() {
        var parser = RequestParser()
        let head = Array("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n".utf8)
        let result = head.withUnsafeBytes { parser.parse($0) }
        guard case .request = result else {
            Issue.record("expected a request, got \(result)")
            return
        }
        #expect(!parser.expectsContinue)
    }

    @Test func anHTTP10ExpectationIsIgnored() {
        var parser = RequestParser()
        let head = Array("POST / HTTP/1.0\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n".utf8)
        _ = head.withUnsafeBytes { parser.parse($0) }
        #expect(!parser.expectsContinue)
    }
}
