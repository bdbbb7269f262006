import HTTPParser
import Testing

@Suite struct URLEncodedFormTests {
    static let type = "application/x-www-form-urlencoded"

    @Test func decodesPlusAndPercentEscapes() throws {
        let fields = try FormDecoder.decode(
            body: Array("email=bob%40example.com&password=b4l0u+x%2B%26".utf8), contentType: Self.type)
        #expect(fields["email"] == "bob@example.com")
        #expect(fields["password"] == "b4l0u x+&")
    }

    @Test func firstValueWinsForARepeatedName() throws {
        let fields = try FormDecoder.decode(body: Array("a=1&a=2".utf8), contentType: Self.type)
        #expect(fields["a"] == "1")
        #expect(fields.count == 2)
    }

    @Test func keepsEmptyAndBareNamesAndSkipsEmptyPairs() throws {
        let fields = try FormDecoder.decode(body: Array("&a=&&b&c=%C3%A9&".utf8), contentType: Self.type)
        #expect(fields["a"] == "")
        #expect(fields["b"] == "")
        #expect(fields["c"] == "é")
        #expect(fields["d"] == nil)
        #expect(fields.count == 3)
    }

    @Test func acceptsParametersAndCaseInTheContentType() throws {
        let fields = try FormDecoder.decode(
            body: Array("a=1".utf8), contentType: "Application/X-WWW-Form-URLEncoded; charset=utf-8")
        #expect(fields["a"] == "1")
    }

    @Test(arguments: ["a=%", "a=%4", "a=%G1", "%zz=1"])
    func rejectsABadPercentEscape(_ body: String) {
        #expect(throws: FormDecodeError.invalidPercentEncoding) {
            try FormDecoder.decode(body: Array(body.utf8), contentType: Self.type)
        }
        #expect(FormDecodeError.invalidPercentEncoding.status == 400)
    }

    @Test(arguments: [[0x61, 0x3D, 0xFF], Array("a=%C3%28".utf8), Array("%ED%A0%80=x".utf8)])
    func rejectsInvalidUTF8(_ body: [UInt8]) {
        #expect(throws: FormDecodeError.invalidUTF8) {
            try FormDecoder.decode(body: body, contentType: Self.type)
        }
        #expect(FormDecodeError.invalidUTF8.status == 400)
    }

    @Test func limitsTheNumberOfFields() throws {
        let atLimit = (0..<FormDecoder.maxFields).map { "f\($0)=v" }.joined(separator: "&")
        #expect(
            try FormDecoder.decode(body: Array(atLimit.utf8), contentType: Self.type).count == FormDecoder.maxFields)
        #expect(throws: FormDecodeError.tooManyFields) {
            try FormDecoder.decode(body: Array((atLimit + "&x=1").utf8), contentType: Self.type)
        }
        #expect(FormDecodeError.tooManyFields.status == 413)
    }

    @Test func anEmptyBodyHasNoFieldsWhateverItsType() throws {
        #expect(try FormDecoder.decode(body: [], contentType: nil).count == 0)
        #expect(try FormDecoder.decode(body: [], contentType: "text/plain").count == 0)
    }

    @Test func refusesABodyWithoutOrWithAnUnsupportedContentType() {
        #expect(throws: FormDecodeError.missingContentType) {
            try FormDecoder.decode(body: Array("a=1".utf8), contentType: nil)
        }
        #expect(throws: FormDecodeError.unsupportedContentType) {
            try FormDecoder.decode(body: Array("a=1".utf8), contentType: "text/plain")
        }
        #expect(FormDecodeError.missingContentType.status == 415)
        #expect(FormDecodeError.unsupportedContentType.status == 415)
    }
}
