import HTTPParser
import Testing

@Suite struct CookieParserTests {
    @Test func findsANamedCookieAmongOthers() {
        #expect(CookieParser.value(named: "session_id", in: "a=b; session_id=1234-ab; c=d") == "1234-ab")
        #expect(CookieParser.value(named: "a", in: "a=b;c=d") == "b")
        #expect(CookieParser.value(named: "c", in: "a=b;c=d") == "d")
    }

    @Test func stripsQuotesAndWhitespace() {
        #expect(CookieParser.value(named: "s", in: "  s = \"quoted\" ; t=u") == "quoted")
    }

    @Test func firstMatchWinsAndNamesAreCaseSensitive() {
        #expect(CookieParser.value(named: "s", in: "s=1; s=2") == "1")
        #expect(CookieParser.value(named: "S", in: "s=1") == nil)
    }

    @Test func missingOrMalformedCookiesGiveNil() {
        #expect(CookieParser.value(named: "s", in: "") == nil)
        #expect(CookieParser.value(named: "s", in: "session=1; xs=2") == nil)
        #expect(CookieParser.value(named: "s", in: "s; t=1") == nil)
        #expect(CookieParser.value(named: "s", in: "s=") == "")
    }

    @Test func keepsEqualsSignsInsideTheValue() {
        #expect(CookieParser.value(named: "t", in: "t=a=b==") == "a=b==")
    }
}
