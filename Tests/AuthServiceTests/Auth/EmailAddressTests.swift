import Testing

@testable import AuthService

/// Each rule of `EmailAddress`: what is normalized, what is kept, what is refused and why.
@Suite struct EmailAddressTests {
    private func normalized(_ given: String) throws -> String {
        try EmailAddress(given).normalized
    }

    private func refusal(_ given: String) -> EmailAddress.Invalid? {
        do {
            _ = try EmailAddress(given)
            return nil
        } catch {
            return error
        }
    }

    @Test func surroundingWhiteSpaceIsTrimmed() throws {
        #expect(try normalized(" victim@x.test") == "victim@x.test")
        #expect(try normalized("victim@x.test ") == "victim@x.test")
        #expect(try normalized("\t\r\n victim@x.test\u{00A0}\u{3000}\n") == "victim@x.test")
    }

    @Test func theDomainIsLowerCasedAndTheLocalPartKept() throws {
        #expect(try normalized("Victim@X.Test") == "Victim@x.test")
        #expect(try normalized("VICTIM@x.test") == "VICTIM@x.test")
        #expect(try normalized("zoë@EXÄMPLE.COM") == "zoë@exämple.com")
    }

    @Test func decomposedAndPrecomposedFormsBecomeOneNFCForm() throws {
        let precomposed = "jos\u{E9}@x.test"
        let decomposed = "jose\u{301}@x.test"
        #expect(Array(precomposed.utf8) != Array(decomposed.utf8))
        #expect(Array(try normalized(decomposed).utf8) == Array(precomposed.utf8))
        #expect(Array(try normalized(precomposed).utf8) == Array(precomposed.utf8))
        // In the domain too, after lower-casing: É in NFD is E + U+0301.
        #expect(Array(try normalized("a@CAF\u{45}\u{301}.test").utf8) == Array("a@caf\u{E9}.test".utf8))
    }

    @Test func normalizingTwiceChangesNothing() throws {
        for given in [" Victim@X.test ", "jose\u{301}@Ex\u{C4}mple.com", "a\"b\\c@d"] {
            let once = try normalized(given)
            #expect(try normalized(once) == once)
        }
    }

    @Test func over250BytesIsRefusedAnd250IsTaken() throws {
        let domain = "@x.test"
        let exactly = String(repeating: "a", count: EmailAddress.maximumBytes - domain.utf8.count) + domain
        #expect(try normalized(exactly).utf8.count == 250)
        #expect(refusal("a" + exactly) == .tooLong)
        // Counted in bytes of the normalized form: 124 two-byte é and the domain make 255 bytes.
        #expect(refusal(String(repeating: "\u{E9}", count: 124) + domain) == .tooLong)
        #expect(refusal(String(repeating: "a", count: 10_000) + domain) == .tooLong)
        #expect(refusal(String(repeating: "a", count: 60_000)) == .tooLong)
        // An NFD form over the limit that fits once composed (121 × e + U+0301 is 363 bytes, 242 in NFC).
        #expect(try normalized(String(repeating: "e\u{301}", count: 121) + domain).utf8.count == 249)
        // Trimmed first: surrounding white space does not count.
        #expect(try normalized("   " + exactly + "   ").utf8.count == 250)
    }

    @Test func exactlyOneAtSignIsRequired() {
        #expect(refusal("victim.x.test") == .atSignCount(0))
        #expect(refusal("a@b@x.test") == .atSignCount(2))
        #expect(refusal("@@") == .atSignCount(2))
        // A fullwidth commercial at is not an at sign (NFC keeps it).
        #expect(refusal("victim\u{FF20}x.test") == .atSignCount(0))
    }

    @Test func bothSidesOfTheAtSignMustHaveText() {
        #expect(refusal("@x.test") == .emptyLocalPart)
        #expect(refusal("victim@") == .emptyDomain)
        #expect(refusal(" @x.test") == .emptyLocalPart)
        #expect(refusal("@") == .emptyLocalPart)
    }

    @Test func whiteSpaceInsideIsRefused() {
        #expect(refusal("vic tim@x.test") == .whiteSpace)
        #expect(refusal("victim@x .test") == .whiteSpace)
        #expect(refusal("victim\u{00A0}@x.test") == .whiteSpace)
        #expect(refusal("victim\u{2028}@x.test") == .whiteSpace)
    }

    @Test func controlAndFormatCharactersInsideAreRefused() {
        #expect(refusal("vic\u{0}tim@x.test") == .controlCharacter)
        #expect(refusal("victim@x.test\r\nBcc: y@z") == .controlCharacter)
        #expect(refusal("vic\ttim@x.test") == .controlCharacter)
        #expect(refusal("vic\u{7F}tim@x.test") == .controlCharacter)
        #expect(refusal("vic\u{85}tim@x.test") == .controlCharacter)
        #expect(refusal("vic\u{200B}tim@x.test") == .controlCharacter)
        #expect(refusal("\u{FEFF}victim@x.test") == .controlCharacter)
        #expect(refusal("victim@x.test\u{202E}") == .controlCharacter)
        #expect(refusal("victim@x\u{AD}.test") == .controlCharacter)
    }

    @Test func blankIsRefused() {
        #expect(refusal("") == .atSignCount(0))
        #expect(refusal("   ") == .atSignCount(0))
    }

    @Test func punctuationAndNonASCIILettersAreKept() throws {
        #expect(try normalized("zo\u{EB}\"quote\\@ex\u{E4}mple.com") == "zo\u{EB}\"quote\\@ex\u{E4}mple.com")
        #expect(try normalized("first.last+tag@sub.x.test") == "first.last+tag@sub.x.test")
        #expect(try normalized("用户@例子.广告") == "用户@例子.广告")
    }
}
