import HTTPParser
import Testing

@Suite struct ResponseWriterTests {
    static var date: DateCache { DateCache(clock: { 784_111_777 }) }

    static func written(_ response: Response, keepAlive: Bool = true) -> String {
        var buffer: [UInt8] = []
        ResponseWriter.write(response, keepAlive: keepAlive, date: date, into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func writesStatusLineHeadersAndBody() {
        let response = Response(
            status: 200, headers: [("Set-Cookie", "session_id=x; Path=/")], body: Array("{}\n".utf8))
        #expect(
            Self.written(response) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
                + "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nX-Content-Type-Options: nosniff\r\n"
                + "X-Frame-Options: DENY\r\nContent-Security-Policy: frame-ancestors 'none'\r\n"
                + "Set-Cookie: session_id=x; Path=/\r\n\r\n{}\n")
    }

    @Test func omittingTheBodyKeepsItsLength() {
        var buffer: [UInt8] = []
        let response = Response(status: 200, body: Array("{\"a\":1}".utf8))
        ResponseWriter.write(response, keepAlive: true, omitBody: true, date: Self.date, into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text.contains("\r\nContent-Length: 7\r\n"))
        #expect(text.hasSuffix("\r\n\r\n"))
    }

    @Test func writesRepeatedHeadersOnceEachAndConnectionClose() {
        let response = Response(
            status: 302, headers: [("Location", "/"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        let text = Self.written(response, keepAlive: false)
        #expect(text.hasPrefix("HTTP/1.1 302 Found\r\n"))
        #expect(text.contains("\r\nContent-Length: 0\r\n"))
        #expect(text.contains("\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"))
        #expect(text.hasSuffix("Connection: close\r\n\r\n"))
    }

    @Test func appendsToWhatTheBufferAlreadyHolds() {
        var buffer = Array("previous".utf8)
        ResponseWriter.write(Response(status: 404), keepAlive: true, date: Self.date, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self).hasPrefix("previousHTTP/1.1 404 Not Found\r\n"))
    }

    @Test(arguments: [
        (100, "Continue"), (200, "OK"), (201, "Created"), (204, "No Content"), (302, "Found"),
        (303, "See Other"), (400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"),
        (404, "Not Found"), (405, "Method Not Allowed"), (408, "Request Timeout"), (411, "Length Required"),
        (413, "Content Too Large"), (414, "URI Too Long"), (415, "Unsupported Media Type"),
        (429, "Too Many Requests"), (431, "Request Header Fields Too Large"), (500, "Internal Server Error"),
        (501, "Not Implemented"), (503, "Service Unavailable"), (505, "HTTP Version Not Supported"),
    ])
    func usesTheStandardReasonPhrase(_ status: Int, _ reason: String) {
        #expect(Self.written(Response(status: status)).hasPrefix("HTTP/1.1 \(status) \(reason)\r\n"))
    }

    @Test func sendsNoContentHeadersOrBodyFor204And1xx() {
        for status in [100, 204] {
            let text = Self.written(Response(status: status, body: [0x78]))
            #expect(!text.contains("\r\nContent-Length:"))
            #expect(!text.contains("\r\nContent-Type:"))
            #expect(text.hasSuffix("\r\n\r\n"))
        }
    }

    @Test func neutralisesLineBreaksInHeaderValues() {
        let text = Self.written(Response(status: 200, headers: [("Location", "/a\r\nSet-Cookie: evil=1")]))
        #expect(text.contains("Location: /a  Set-Cookie: evil=1\r\n"))
        #expect(!text.contains("\r\nSet-Cookie"))
    }

    @Test func aStatusWithoutAStandardPhraseStillGetsAWholeStatusLine() {
        #expect(Self.written(Response(status: 299)).hasPrefix("HTTP/1.1 299 Unknown\r\nContent-Type: "))
    }

    @Test func neutralisesControlBytesInNamesAndValuesButKeepsTabsAndUTF8() {
        let text = Self.written(Response(status: 200, headers: [("X-A\u{7F}", "a\tb\u{0}c é")]))
        #expect(text.contains("\r\nX-A : a\tb c é\r\n"))
    }

    @Test func announcesTheExactBodyLength() {
        let body = "{\"a\":\"é\"}\n"
        let text = Self.written(Response(status: 201, body: Array(body.utf8)))
        let parts = text.split(separator: "\r\n\r\n", omittingEmptySubsequences: false)
        #expect(parts.count == 2)
        #expect(parts[0].split(separator: "\r\n").contains("Content-Length: \(body.utf8.count)"))
        #expect(parts[1] == body)
    }
}

@Suite struct ContinueLineTests {
    @Test func writesTheInterimContinueAnswer() {
        var buffer = Array("x".utf8)
        ResponseWriter.writeContinue(into: &buffer)
        #expect(buffer == Array("xHTTP/1.1 100 Continue\r\n\r\n".utf8))
    }
}
