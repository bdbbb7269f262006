import HTTPParser
import Testing

@Suite struct ParseErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let error: HTTPParseError
        let status: Int
        var testDescription: String { "\(error)" }
    }

    static let rejections: [Case] = [
        Case(text: "GET /\r\nHost: a\r\n\r\n", error: .badRequestLine, status: 400),
        Case(text: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine, status: 400),
        Case(text: "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", error: .badRequestLine, status: 400),
        Case(text: "GET / http/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine, status: 400),
        Case(text: "GET /a\u{7}b HTTP/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine, status: 400),
        Case(text: "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine, status: 400),
        Case(text: "GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTargetAuthority, status: 400),
        Case(text: "GET http:///profile HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTargetAuthority, status: 400),
        Case(text: "GET https://?x HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTargetAuthority, status: 400),
        Case(text: "G\u{1}T / HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidMethod, status: 400),
        Case(text: "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidMethod, status: 400),
        Case(text: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", error: .unsupportedVersion, status: 505),
        Case(text: "GET / HTTP/0.9\r\nHost: a\r\n\r\n", error: .unsupportedVersion, status: 505),
        Case(text: "GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", error: .invalidHeaderName, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n", error: .invalidHeaderName, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", error: .invalidHeaderName, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: a\r\nX\u{0}: b\r\n\r\n", error: .invalidHeaderName, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", error: .whitespaceBeforeColon, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", error: .whitespaceBeforeColon, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n  folded\r\n\r\n", error: .obsoleteLineFolding, status: 400),
        Case(text: "GET / HTTP/1.1\r\n Host: a\r\n\r\n", error: .obsoleteLineFolding, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: a\r\nX: b\u{0}c\r\n\r\n", error: .invalidHeaderValue, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: a\r\nX: b\rc\r\n\r\n", error: .invalidHeaderValue, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: a\r\nX: b\u{1b}c\r\n\r\n", error: .invalidHeaderValue, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: a\r\nX: b\u{7f}\r\n\r\n", error: .invalidHeaderValue, status: 400),
        Case(text: "GET / HTTP/1.1\r\nX: b\r\n\r\n", error: .missingHost, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", error: .multipleHosts, status: 400),
        Case(text: "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", error: .multipleHosts, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: two words\r\n\r\n", error: .invalidHost, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", error: .invalidHost, status: 400),
        Case(text: "GET / HTTP/1.1\r\nHost: user@host\r\n\r\n", error: .invalidHost, status: 400),
        Case(text: "GET / HTTP/1.0\r\nHost: [::1]x\r\n\r\n", error: .invalidHost, status: 400),
        Case(
            text: "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            error: .transferEncodingInHTTP10, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", error: .invalidContentLength, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", error: .invalidContentLength, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", error: .invalidContentLength, status: 400),
        Case(text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", error: .invalidContentLength, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
            error: .invalidContentLength, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            error: .conflictingContentLengths, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\n", error: .conflictingContentLengths,
            status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            error: .contentLengthWithTransferEncoding, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            error: .contentLengthWithTransferEncoding, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            error: .unsupportedTransferCoding, status: 501),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            error: .unsupportedTransferCoding, status: 501),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n",
            error: .unsupportedTransferCoding, status: 501),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            error: .invalidTransferEncoding, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", error: .invalidTransferEncoding,
            status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", error: .invalidChunkSize,
            status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", error: .invalidChunkSize,
            status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 x\r\n", error: .invalidChunkSize,
            status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", error: .invalidChunkSize,
            status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n", error: .invalidChunkSize,
            status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n",
            error: .invalidChunkFraming, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a\u{0}\r\n",
            error: .invalidChunkFraming, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: \u{1}\r\n\r\n",
            error: .invalidChunkFraming, status: 400),
        Case(
            text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\rx",
            error: .invalidChunkFraming, status: 400),
    ]

    @Test(arguments: rejections)
    func rejectsWithItsOwnErrorAndStatus(_ c: Case) {
        #expect(parseError(c.text) == c.error)
        #expect(c.error.status == c.status)
        #expect(!c.error.message.isEmpty)
    }

    @Test func everyErrorHasAClientOrServerStatusAndAMessage() {
        let all: [HTTPParseError] = [
            .badRequestLine, .invalidMethod, .unsupportedVersion, .targetTooLong, .invalidTargetAuthority,
            .invalidHeaderName,
            .whitespaceBeforeColon, .obsoleteLineFolding, .invalidHeaderValue, .headTooLarge, .tooManyHeaders,
            .missingHost, .multipleHosts, .invalidHost, .invalidContentLength, .conflictingContentLengths,
            .contentLengthWithTransferEncoding, .unsupportedTransferCoding, .invalidTransferEncoding,
            .transferEncodingInHTTP10,
            .invalidChunkSize, .invalidChunkFraming, .chunkedOverheadTooLarge, .bodyTooLarge,
        ]
        #expect(Set(all.map(\.message)).count == all.count, "each rejection explains itself differently")
        for error in all { #expect((400..<600).contains(error.status)) }
    }
}
