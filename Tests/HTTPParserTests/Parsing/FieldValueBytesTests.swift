import HTTPParser
import Testing

/// Field values are checked eight bytes at a time, the last bytes as the word that ends with them:
/// a control byte at any position of a value of any length is found, by the parser (refused) and
/// by the writer (made a space), and clean values with tabs and obs-text pass whole.
@Suite struct FieldValueBytesTests {
    @Test(arguments: [UInt8(0x00), 0x01, 0x0B, 0x1F, 0x7F])
    func aControlByteAnywhereInAValueOfAnyLengthIsFound(_ bad: UInt8) {
        for length in 1...40 {
            for position in 0..<length {
                var value = Array(repeating: UInt8(ascii: "a"), count: length)
                value[position] = bad
                // A value's first and last bytes are never white space: the bad byte sits between.
                let head = Array("GET / HTTP/1.1\r\nHost: a\r\nX: <".utf8) + value + Array(">\r\n\r\n".utf8)
                var parser = RequestParser()
                let parsed = head.withUnsafeBytes { parser.parse($0) }
                guard case .error(.invalidHeaderValue) = parsed else {
                    Issue.record("byte \(bad) at \(position) of \(length) passed the parser: \(parsed)")
                    continue
                }
                let text = String(decoding: value, as: UTF8.self)
                var buffer: [UInt8] = []
                ResponseWriter.write(
                    Response(status: 204, headers: [("X", text)]), keepAlive: true, date: DateCache(clock: { 0 }),
                    into: &buffer)
                #expect(
                    String(decoding: buffer, as: UTF8.self).contains(
                        "X: " + String(decoding: value.map { $0 == bad ? 0x20 : $0 }, as: UTF8.self) + "\r\n"),
                    "byte \(bad) at \(position) of \(length) in the writer")
            }
        }
    }

    @Test func cleanValuesWithTabsAndObsTextPassWhole() throws {
        for length in 1...40 {
            let value = (0..<length).map { i -> UInt8 in i % 5 == 2 ? 0x09 : i % 3 == 0 ? 0xE9 : 0x41 }
            let head = Array("GET / HTTP/1.1\r\nHost: a\r\nX: <".utf8) + value + Array(">\r\n\r\n".utf8)
            var parser = RequestParser()
            let parsed = head.withUnsafeBytes { parser.parse($0) }
            guard case .request = parsed else {
                Issue.record("a clean value of \(length) bytes was refused: \(parsed)")
                continue
            }
        }
    }
}
