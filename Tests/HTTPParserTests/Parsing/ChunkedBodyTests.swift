import HTTPParser
import Testing

@Suite struct ChunkedBodyTests {
    static let head = "POST /users HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

    @Test(arguments: [
        ("5\r\nhello\r\n0\r\n\r\n", "hello"),
        ("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"),
        ("A\r\n0123456789\r\n0\r\n\r\n", "0123456789"),
        ("00a\r\n0123456789\r\n000\r\n\r\n", "0123456789"),
        ("5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello"),
        ("5 ;a=\"q\"\r\nhello\r\n0\r\n\r\n", "hello"),
        ("5\r\nhello\r\n0\r\nTrailer-A: 1\r\nTrailer-B: 2\r\n\r\n", "hello"),
        ("0\r\n\r\n", ""),
    ])
    func dechunksTheBody(_ framing: String, _ body: String) throws {
        let text = Self.head + framing
        let request = try #require(parseOne(text))
        #expect(request.body == Array(body.utf8))
    }

    @Test func acceptsTransferEncodingNamesAndTokensInAnyCase() throws {
        let request = try #require(
            parseOne("POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: Chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"))
        #expect(request.body == [0x78])
    }

    @Test func waitsForTheFinalCRLFAfterTheLastChunk() {
        let outcomes = parseWhole(Array((Self.head + "1\r\nx\r\n0\r\n").utf8))
        #expect(outcomes == [.needMore])
    }

    @Test func keepsBytesAfterTheLastChunkForTheNextRequest() {
        let text = Self.head + "1\r\nx\r\n0\r\n\r\n" + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"
        let outcomes = parseWhole(Array(text.utf8))
        #expect(outcomes.count == 3)
        if case .request(_, let target, _, _, _, _) = outcomes[1] { #expect(target == "/next") }
    }
}
