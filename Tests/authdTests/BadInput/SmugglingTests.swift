import Testing

/// Requests whose length two parsers could read differently are refused and the connection
/// closed, so nothing behind them is ever taken as a second request.
@Suite struct SmugglingTests {
    let server: AuthdProcess

    init() throws { server = try AuthdProcess() }

    /// The smuggled request a lenient parser would find after the first body.
    private let hidden = "GET /profile HTTP/1.1\r\nHost: x\r\n\r\n"

    @Test func contentLengthWithTransferEncodingGets400() throws {
        let sent = formPost(
            body: Array(("0\r\n\r\n" + hidden).utf8), headers: "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")
        try expectRefused(server.refusal(of: sent), 400, "both Content-Length and Transfer-Encoding", by: server)
    }

    @Test func twoDifferentContentLengthsGet400() throws {
        let sent = formPost(
            body: Array(("abcdef" + hidden).utf8), headers: "Content-Length: 5\r\nContent-Length: 6\r\n")
        try expectRefused(server.refusal(of: sent), 400, "conflicting Content-Length values", by: server)
    }

    @Test func aSignedContentLengthGets400() throws {
        let sent = formPost(body: Array("abcde".utf8), headers: "Content-Length: +5\r\n")
        try expectRefused(server.refusal(of: sent), 400, "invalid Content-Length", by: server)
    }

    @Test func whitespaceBeforeTheColonGets400() throws {
        let sent = formPost(body: Array(("0\r\n\r\n" + hidden).utf8), headers: "Transfer-Encoding : chunked\r\n")
        try expectRefused(server.refusal(of: sent), 400, "whitespace between header field name and colon", by: server)
    }

    @Test func aFoldedTransferEncodingGets400() throws {
        let sent = formPost(body: Array("0\r\n\r\n".utf8), headers: "Transfer-Encoding:\r\n chunked\r\n")
        try expectRefused(server.refusal(of: sent), 400, "obsolete line folding in header field", by: server)
    }

    @Test func twoTransferEncodingFieldsGet400() throws {
        let sent = formPost(
            body: Array("0\r\n\r\n".utf8), headers: "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")
        try expectRefused(server.refusal(of: sent), 400, "invalid Transfer-Encoding", by: server)
    }

    @Test(arguments: ["chunked, identity", "identity, chunked", "xchunked"])
    func codingsOtherThanChunkedGet501(coding: String) throws {
        let sent = formPost(body: Array(("0\r\n\r\n" + hidden).utf8), headers: "Transfer-Encoding: \(coding)\r\n")
        try expectRefused(server.refusal(of: sent), 501, "unsupported transfer coding", by: server)
    }
}
