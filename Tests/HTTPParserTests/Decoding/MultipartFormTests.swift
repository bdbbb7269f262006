import HTTPParser
import Testing

@Suite struct MultipartFormTests {
    /// The bytes `curl -F email=bob@example.com -F password=b4l0u -F file=@a.txt` sends.
    static let boundary = "------------------------d74496d66958873e"
    static let curlBody = [
        "--\(boundary)",
        "Content-Disposition: form-data; name=\"email\"",
        "",
        "bob@example.com",
        "--\(boundary)",
        "Content-Disposition: form-data; name=\"password\"",
        "",
        "b4l0u",
        "--\(boundary)",
        "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"",
        "Content-Type: text/plain",
        "",
        "file contents",
        "--\(boundary)--",
        "",
    ].joined(separator: "\r\n")

    @Test func decodesTheTextFieldsCurlSendsAndSkipsFiles() throws {
        let fields = try FormDecoder.decode(
            body: Array(Self.curlBody.utf8), contentType: "multipart/form-data; boundary=\(Self.boundary)")
        #expect(fields["email"] == "bob@example.com")
        #expect(fields["password"] == "b4l0u")
        #expect(fields["file"] == nil)
        #expect(fields.count == 2)
    }

    @Test func acceptsAQuotedBoundaryPreambleAndMultilineValues() throws {
        let body = "preamble\r\n--b\r\ncontent-disposition: form-data; name=\"note\"\r\n\r\nline 1\r\nline 2\r\n--b--"
        let fields = try FormDecoder.decode(body: Array(body.utf8), contentType: "multipart/form-data; boundary=\"b\"")
        #expect(fields["note"] == "line 1\r\nline 2")
    }

    @Test func acceptsAnEmptyValue() throws {
        let body = "--b\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--b--\r\n"
        let fields = try FormDecoder.decode(body: Array(body.utf8), contentType: "multipart/form-data; boundary=b")
        #expect(fields["e"] == "")
    }

    @Test func requiresABoundary() {
        #expect(throws: FormDecodeError.missingBoundary) {
            try FormDecoder.decode(body: Array(Self.curlBody.utf8), contentType: "multipart/form-data")
        }
    }

    @Test(arguments: [
        "--b\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\nunterminated",
        "no delimiter at all",
        "--b\r\nContent-Disposition: attachment; name=\"e\"\r\n\r\nx\r\n--b--",
        "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
        "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
        "--bX\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\nx\r\n--b--",
    ])
    func rejectsMalformedBodies(_ body: String) {
        #expect(throws: FormDecodeError.malformedMultipart) {
            try FormDecoder.decode(body: Array(body.utf8), contentType: "multipart/form-data; boundary=b")
        }
    }

    @Test func rejectsInvalidUTF8InAValue() {
        let body =
            Array("--b\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n".utf8) + [0xC3] + Array("\r\n--b--".utf8)
        #expect(throws: FormDecodeError.invalidUTF8) {
            try FormDecoder.decode(body: body, contentType: "multipart/form-data; boundary=b")
        }
    }
    /// Bytes captured from `curl 7.88.1 -F email=bob@example.com -F password=b4l0u` on loopback.
    static let capturedCurlRequest = [
        "POST /users HTTP/1.1",
        "Host: 127.0.0.1:18089",
        "User-Agent: curl/7.88.1",
        "Accept: */*",
        "Content-Length: 257",
        "Content-Type: multipart/form-data; boundary=------------------------3a3aabca76124e8f",
        "",
        "--------------------------3a3aabca76124e8f",
        "Content-Disposition: form-data; name=\"email\"",
        "",
        "bob@example.com",
        "--------------------------3a3aabca76124e8f",
        "Content-Disposition: form-data; name=\"password\"",
        "",
        "b4l0u",
        "--------------------------3a3aabca76124e8f--",
        "",
    ].joined(separator: "\r\n")

    @Test func decodesACapturedCurlRequestEndToEnd() throws {
        let request = try #require(parseOne(Self.capturedCurlRequest))
        let fields = try FormDecoder.decode(body: request.body, contentType: request.headers.first("Content-Type"))
        #expect(fields["email"] == "bob@example.com")
        #expect(fields["password"] == "b4l0u")
    }

    /// Fuzzer finding: a header block whose blank line shares its CRLF with the next delimiter
    /// made the content range run backwards and trapped.
    @Test(arguments: [
        "--boundary-x\r\nContent-Disposition:form-data;name=\u{5}e\r\n\r\n--boundary-xn",
        "--boundary-x\r\n\r\n--boundary-x--",
    ])
    func rejectsAPartWhoseHeadersRunIntoTheNextDelimiter(_ body: String) {
        #expect(throws: FormDecodeError.malformedMultipart) {
            try FormDecoder.decode(body: Array(body.utf8), contentType: "multipart/form-data; boundary=boundary-x")
        }
    }
}
