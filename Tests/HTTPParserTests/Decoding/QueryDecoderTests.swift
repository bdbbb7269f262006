import Testing
import HTTPParser

@Suite struct QueryDecoderTests {
    @Test func decodesTheQueryOfARequest() throws {
        let request = Request(method: .get, target: "/reset?email=a%40b.c&token=x+y&email=2")
        let fields = try QueryDecoder.decode(request.query)
        #expect(fields["email"] == "a@b.c")
        #expect(fields["token"] == "x y")
    }

    @Test func noQueryGivesNoFields() throws {
        #expect(try QueryDecoder.decode(nil).count == 0)
        #expect(try QueryDecoder.decode(Request(method: .get, target: "/p?").query).count == 0)
    }

    @Test func rejectsABadEscape() {
        #expect(throws: FormDecodeError.invalidPercentEncoding) { try QueryDecoder.decode("a=%zz") }
    }
}
