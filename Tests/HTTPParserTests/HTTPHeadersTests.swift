import HTTPParser
import Testing

@Suite struct HTTPHeadersTests {
    @Test func looksUpNamesIgnoringASCIICaseOnly() {
        var headers = HTTPHeaders([("Content-Type", "a")])
        headers.add(name: "X-Ünï", value: "b")
        #expect(headers.first("content-TYPE") == "a")
        #expect(headers.first("x-Ünï") == "b")
        #expect(headers.first("X-üNÏ") == nil)
        #expect(headers.first("Content-Typ") == nil)
        #expect(headers.first("Content-Types") == nil)
        #expect(headers.contains("CONTENT-TYPE"))
        #expect(!headers.contains("Accept"))
    }

    @Test func keepsFieldsAddedByHandInOrder() {
        var headers = HTTPHeaders()
        headers.add(name: "A", value: "1")
        headers.add(name: "B", value: "2")
        headers.add(name: "a", value: "3")
        #expect(headers.count == 3)
        #expect(headers.values("A") == ["1", "3"])
        #expect(headers.all.map(\.value) == ["1", "2", "3"])
    }

    @Test func firstValueGivesTheFirstNonNilTransformOfTheNamedValues() {
        var headers = HTTPHeaders()
        headers.add(name: "Cookie", value: "theme=dark")
        headers.add(name: "Other", value: "session_id=wrong-header")
        headers.add(name: "cookie", value: "a=1; session_id=abc")
        headers.add(name: "Cookie", value: "session_id=later")
        #expect(headers.firstValue(of: "COOKIE") { CookieParser.value(named: "session_id", in: $0) } == "abc")
        #expect(headers.firstValue(of: "Cookie") { String(decoding: $0, as: UTF8.self) } == "theme=dark")
        #expect(headers.firstValue(of: "Cookie") { CookieParser.value(named: "nope", in: $0) } == nil)
        #expect(headers.firstValue(of: "Missing") { _ in 1 } == nil)
    }
}
