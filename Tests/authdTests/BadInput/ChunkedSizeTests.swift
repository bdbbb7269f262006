import Testing

/// Chunk sizes that are not hex, negative, overflowing or lying about their data are refused.
@Suite struct ChunkedSizeTests {
    let server: AuthdProcess

    init() throws { server = try AuthdProcess() }

    private func chunked(_ framed: String) -> [UInt8] {
        formPost(body: Array(framed.utf8), headers: "Transfer-Encoding: chunked\r\n")
    }

    @Test(arguments: [
        "zz\r\nab\r\n0\r\n\r\n", "-1\r\nab\r\n0\r\n\r\n", "\r\nab\r\n0\r\n\r\n", "0x2\r\nab\r\n0\r\n\r\n",
    ])
    func aSizeThatIsNotHexGets400(framed: String) throws {
        try expectRefused(server.refusal(of: chunked(framed)), 400, "invalid chunk size", by: server)
    }

    @Test func anOverflowingSizeGets413() throws {
        try expectRefused(
            server.refusal(of: chunked("FFFFFFFFFFFFFFFFFFFF\r\nab\r\n0\r\n\r\n")), 413, "request body too large",
            by: server)
    }

    @Test func dataLongerThanItsSizeGets400() throws {
        try expectRefused(
            server.refusal(of: chunked("2\r\nabc\r\n0\r\n\r\n")), 400, "invalid chunked framing", by: server)
    }
}
