import HTTPParser
import Testing

/// The parser must give the same outcome however the bytes are split across reads.
@Suite struct SplitFeedingTests {
    static let small = ParserLimits(maxHeadBytes: 120, maxHeaderCount: 4, maxBodyBytes: 16, maxTargetBytes: 20)

    static let messages: [String] = [
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\n\r\nGET /skip HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /lf HTTP/1.1\nHost: a\n\n",
        "GET http://h/abs?q HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET http://h HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET http://u@h/ HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 16\r\n\r\nemail=a&password",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n",
        "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.0\r\n\r\nPOST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n",
        "GET / HTTP/3.0\r\nHost: a\r\n\r\n",
        "GET /this-target-is-too-long HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 150),
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n123456789\r\n9\r\n123456789\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET /partial HTTP/1.1\r\nHost: a\r\n",
    ]

    @Test(arguments: messages)
    func everySingleSplitGivesTheWholeOutcome(_ text: String) {
        let bytes = Array(text.utf8)
        let whole = parseWhole(bytes, limits: Self.small)
        for cut in 0...bytes.count {
            let split = feed(bytes, cuts: [cut], limits: Self.small)
            #expect(split == whole, "split at \(cut)")
        }
    }

    @Test(arguments: messages)
    func byteByByteFeedingGivesTheWholeOutcome(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(feed(bytes, cuts: Array(0..<bytes.count), limits: Self.small) == parseWhole(bytes, limits: Self.small))
    }

    @Test(arguments: messages)
    func randomSplitsGiveTheWholeOutcome(_ text: String) {
        let bytes = Array(text.utf8)
        let whole = parseWhole(bytes, limits: Self.small)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let cuts = (0..<Int.random(in: 1...6, using: &generator))
                .map { _ in Int.random(in: 0...bytes.count, using: &generator) }.sorted()
            #expect(feed(bytes, cuts: cuts, limits: Self.small) == whole, "cuts \(cuts)")
        }
    }

    @Test func theTableCoversBothAcceptedAndRejectedMessages() {
        let outcomes = Self.messages.map { parseWhole(Array($0.utf8), limits: Self.small) }
        let errors = outcomes.filter { if case .error = $0.last { true } else { false } }
        #expect(errors.count >= 10)
        #expect(outcomes.count - errors.count >= 6)
    }
}
