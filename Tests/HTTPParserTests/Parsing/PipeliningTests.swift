import HTTPParser
import Testing

@Suite struct PipeliningTests {
    @Test func pipelinedRequestsComeOutInOrder() {
        let text =
            "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "PUT /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
            + "DELETE /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        let outcomes = parseWhole(Array(text.utf8))
        let targets = outcomes.compactMap { outcome -> String? in
            if case .request(_, let target, _, _, _, _) = outcome { return target }
            return nil
        }
        #expect(targets == ["/1", "/2", "/3", "/4"])
        #expect(outcomes.last == .needMore)
        if case .request(_, _, _, let body, _, _) = outcomes[1] { #expect(body == Array("abc".utf8)) }
        if case .request(_, _, _, let body, _, _) = outcomes[2] { #expect(body == Array("xy".utf8)) }
        if case .request(_, _, _, _, let keepAlive, _) = outcomes[3] { #expect(!keepAlive) }
    }

    @Test func aTrailingPartialRequestWaitsForMoreBytes() {
        let outcomes = parseWhole(Array("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHo".utf8))
        #expect(outcomes.count == 2)
        #expect(outcomes.last == .needMore)
    }

    @Test func anErrorInALaterRequestFollowsTheGoodOnes() {
        let outcomes = parseWhole(Array("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\n\r\n".utf8))
        #expect(outcomes.count == 2)
        #expect(outcomes.last == .error(.missingHost))
    }
}
