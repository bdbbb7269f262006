import HTTPParser
import Testing

@Suite struct LimitsTests {
    @Test func rejectsAnIncompleteHeadOnceItPassesTheHeadLimit() {
        var parser = RequestParser(limits: ParserLimits(maxHeadBytes: 64))
        let bytes = Array(("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 60)).utf8)
        let short = bytes.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<63])) }
        #expect(Outcome(short) == .needMore)
        let long = bytes.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<64])) }
        #expect(Outcome(long) == .error(.headTooLarge))
        #expect(HTTPParseError.headTooLarge.status == 431)
    }

    @Test func acceptsAHeadOfExactlyTheLimit() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let fits = ParserLimits(maxHeadBytes: text.utf8.count)
        #expect(parseOne(text, limits: fits) != nil)
        let tooSmall = ParserLimits(maxHeadBytes: text.utf8.count - 1)
        #expect(parseError(text, limits: tooSmall) == .headTooLarge)
    }

    @Test func theDefaultHeadLimitIs16KiB() {
        let filler = String(repeating: "x", count: 16 * 1024)
        #expect(parseError("GET / HTTP/1.1\r\nHost: a\r\nX: \(filler)\r\n\r\n") == .headTooLarge)
        #expect(parseOne("GET / HTTP/1.1\r\nHost: a\r\nX: \(filler.dropFirst(100))\r\n\r\n") != nil)
    }

    @Test func rejectsTheHeaderPastTheCountLimit() {
        let fields = (0..<100).map { "X-\($0): v\r\n" }.joined()
        #expect(parseOne("GET / HTTP/1.1\r\nHost: a\r\n\(fields.dropFirst(8))\r\n") != nil)
        #expect(parseError("GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n") == .tooManyHeaders)
        #expect(HTTPParseError.tooManyHeaders.status == 431)
    }

    @Test func rejectsATargetPastTheTargetLimit() {
        let limits = ParserLimits(maxTargetBytes: 10)
        #expect(parseOne("GET /123456789 HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits) != nil)
        #expect(parseError("GET /1234567890 HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits) == .targetTooLong)
        #expect(HTTPParseError.targetTooLong.status == 414)
    }

    @Test func rejectsADeclaredContentLengthOverTheBodyLimitBeforeTheBodyArrives() {
        var parser = RequestParser(limits: ParserLimits(maxBodyBytes: 10))
        let head = Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n".utf8)
        #expect(Outcome(head.withUnsafeBytes { parser.parse($0) }) == .error(.bodyTooLarge))
        #expect(HTTPParseError.bodyTooLarge.status == 413)
        #expect(
            parseOne(
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789",
                limits: ParserLimits(maxBodyBytes: 10)) != nil)
    }

    @Test func rejectsAChunkedBodyOverTheBodyLimitAsSoonAsTheSizeSaysSo() {
        let limits = ParserLimits(maxBodyBytes: 10)
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(parseError(head + "6\r\nabcdef\r\n5", limits: limits) == .bodyTooLarge)
        #expect(parseError(head + "fffffffffffffffffffff", limits: limits) == .bodyTooLarge)
        #expect(parseOne(head + "6\r\nabcdef\r\n4\r\nghij\r\n0\r\n\r\n", limits: limits)?.body.count == 10)
    }

    @Test func boundsChunkExtensionsAndTrailersByTheHeadLimit() {
        let limits = ParserLimits(maxHeadBytes: 100)
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        let longExtension = "1;" + String(repeating: "e", count: 120) + "\r\nx\r\n0\r\n\r\n"
        #expect(parseError(head + longExtension, limits: limits) == .chunkedOverheadTooLarge)
        let longTrailer = "0\r\nT: " + String(repeating: "t", count: 120) + "\r\n\r\n"
        #expect(parseError(head + longTrailer, limits: limits) == .chunkedOverheadTooLarge)
        #expect(HTTPParseError.chunkedOverheadTooLarge.status == 413)
    }
}
