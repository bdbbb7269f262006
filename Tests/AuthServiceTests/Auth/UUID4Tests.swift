import Testing

@testable import AuthService

/// Session ids and tokens as Python's `str(uuid4())` prints them.
@Suite struct UUID4Tests {
    @Test func eachIsACanonicalLowerCaseVersion4UUIDAndNoneRepeats() {
        let made = (0..<2000).map { _ in UUID4.make() }
        #expect(Set(made).count == made.count)
        for text in made {
            let bytes = Array(text.utf8)
            #expect(bytes.count == 36 && SecretDigest.looksLikeSeedSecret(text), "\(text)")
            #expect(bytes[14] == UInt8(ascii: "4"), "version nibble of \(text)")
            #expect(Array("89ab".utf8).contains(bytes[19]), "variant nibble of \(text)")
        }
    }
}
