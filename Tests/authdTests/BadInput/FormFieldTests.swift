import Testing

/// Form bodies that are not UTF-8 or carry absurd field counts are refused without harm.
@Suite struct FormFieldTests {
    let server: AuthdProcess

    init() throws { server = try AuthdProcess() }

    @Test(arguments: [
        Array("email=%FF%FE%40x&password=pw".utf8),
        Array("email=".utf8) + [0xFF, 0xFE] + Array("@x&password=pw".utf8),
        Array("email=ok@x&password=".utf8) + [0xC3, 0x28],
    ])
    func nonUTF8FieldsGet400AndKeepTheConnectionOpen(body: [UInt8]) throws {
        try expectRefused(
            server.refusal(of: formPost(body: body)), 400, "form data is not valid UTF-8", closes: false, by: server)
    }

    @Test func nonUTF8InAJSONBodyGets400() throws {
        let body = Array(#"{"email":""#.utf8) + [0xFF] + Array(#"@x","password":"p"}"#.utf8)
        let sent =
            Array(
                "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
                    .utf8) + body
        try expectRefused(server.refusal(of: sent), 400, "form data is not valid UTF-8", closes: false, by: server)
    }

    @Test func tenThousandFormFieldsGet413() throws {
        let body = Array((0..<10_000).map { _ in "a=" }.joined(separator: "&").utf8)
        try expectRefused(
            server.refusal(of: formPost(body: body)), 413, "too many form fields", closes: false, by: server)
    }
}
