import HTTPParser
import Testing

@Suite struct JSONFormTests {
    static func decode(_ text: String) throws(FormDecodeError) -> FormFields {
        try FormDecoder.decode(body: Array(text.utf8), contentType: "application/json")
    }

    @Test func decodesAFlatObjectOfStrings() throws {
        let fields = try Self.decode(" { \"email\" : \"a@b.c\",\n\"password\":\"p\" } ")
        #expect(fields["email"] == "a@b.c")
        #expect(fields["password"] == "p")
        #expect(try Self.decode("{}").count == 0)
    }

    @Test func resolvesEveryEscape() throws {
        let fields = try Self.decode(#"{"v":"\"\\\/\b\f\n\r\t\u00e9\u20AC\ud83d\ude00"}"#)
        #expect(fields["v"] == "\"\\/\u{8}\u{c}\n\r\té€😀")
    }

    @Test func keepsRawUTF8() throws {
        #expect(try Self.decode("{\"n\":\"café 😀\"}")["n"] == "café 😀")
    }

    @Test(arguments: [#"{"a":1}"#, #"{"a":null}"#, #"{"a":true}"#, #"{"a":{"b":"c"}}"#, #"{"a":["x"]}"#])
    func rejectsNonStringValues(_ text: String) {
        #expect(throws: FormDecodeError.nonStringJSONValue) { try Self.decode(text) }
    }

    @Test(arguments: [
        "", "[]", "{", "{\"a\"}", "{\"a\":\"b\",}", "{\"a\":\"b\"} x", "{\"a\":\"b\" \"c\":\"d\"}",
        #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":"\ud83d"}"#, #"{"a":"\ude00"}"#, #"{"a":"\ud83d\u0041"}"#,
        "{\"a\":\"tab\there\"}", "{'a':'b'}",
    ])
    func rejectsMalformedJSON(_ text: String) {
        // An empty body is no fields at all, not an error.
        if text.isEmpty {
            #expect(throws: Never.self) { try Self.decode(text) }
            return
        }
        #expect(throws: FormDecodeError.malformedJSON) { try Self.decode(text) }
        #expect(FormDecodeError.malformedJSON.status == 400)
    }

    @Test func rejectsInvalidUTF8InAString() {
        #expect(throws: FormDecodeError.invalidUTF8) {
            try FormDecoder.decode(
                body: [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], contentType: "application/json")
        }
    }
}
