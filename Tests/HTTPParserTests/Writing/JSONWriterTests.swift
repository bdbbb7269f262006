import HTTPParser
import Testing

@Suite struct JSONWriterTests {
    @Test func writesCompactSortedObjectsWithATrailingNewline() {
        let bytes = JSONWriter.object([("message", "user created"), ("email", "a@b.c")])
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"email\":\"a@b.c\",\"message\":\"user created\"}\n")
    }

    @Test func sortsKeysByCodePointLikePython() {
        let bytes = JSONWriter.object([("b", "1"), ("é", "2"), ("B", "3"), ("a", "4")])
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"B\":\"3\",\"a\":\"4\",\"b\":\"1\",\"é\":\"2\"}\n")
    }

    @Test func escapesQuotesBackslashesAndControlsOnly() {
        let bytes = JSONWriter.object([("m", "q\"b\\s/n\nr\rt\tx\u{1}\u{1f}é😀")])
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"m\":\"q\\\"b\\\\s/n\\nr\\rt\\tx\\u0001\\u001fé😀\"}\n")
    }

    @Test func theOnePairFormEscapesAsThePairsFormDoes() {
        #expect(String(decoding: JSONWriter.object("email", "a@b.c"), as: UTF8.self) == "{\"email\":\"a@b.c\"}\n")
        #expect(
            String(decoding: JSONWriter.object("m", "q\"b\\s\n\u{1}é"), as: UTF8.self)
                == "{\"m\":\"q\\\"b\\\\s\\n\\u0001é\"}\n")
        #expect(JSONWriter.object("", "") == Array("{\"\":\"\"}\n".utf8))
    }

    @Test func writesAnEmptyObject() {
        #expect(JSONWriter.object([]) == Array("{}\n".utf8))
    }

    @Test func jsonMessageBuildsTheErrorAnswer() {
        let response = Response.jsonMessage(status: 404, "not \"found\"")
        #expect(response.status == 404)
        #expect(response.contentType == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"message\":\"not \\\"found\\\"\"}\n")
    }
}
