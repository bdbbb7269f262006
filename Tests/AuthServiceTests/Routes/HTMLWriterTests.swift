import Testing

@testable import AuthService

/// The portal's HTML writer: values never come out as markup.
@Suite struct HTMLWriterTests {
    @Test func textEscapesEveryCharacterThatCouldEndATextNodeOrAnAttribute() {
        var html = HTMLWriter()
        html.markup("<p title=\"")
        html.text(#"a&b<c>d"e'f é"#)
        html.markup("\">")
        html.number(42)
        #expect(String(decoding: html.bytes, as: UTF8.self) == "<p title=\"a&amp;b&lt;c&gt;d&quot;e&#39;f é\">42")
    }

    @Test func aPageEscapesItsMessage() {
        let page = PortalPage.login(email: "\"><img src=x>", rd: "javascript:'", .error("<b>no</b>"))
        let text = String(decoding: page, as: UTF8.self)
        #expect(!text.contains("<img") && !text.contains("<b>"))
        #expect(text.contains("&lt;b&gt;no&lt;/b&gt;"))
        #expect(text.contains("value=\"javascript:&#39;\""))
    }
}
