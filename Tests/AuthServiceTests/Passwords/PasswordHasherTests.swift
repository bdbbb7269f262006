import Testing

@testable import AuthService

@Suite struct PasswordHasherTests {
    private let hasher = PasswordHasher()

    @Test func hashAtCost12HasTheSeedPrefixAndVerifies() throws {
        let hash = try hasher.hash("b4l0u", cost: 12)
        #expect(hash.hasPrefix("$2b$12$"))
        #expect(hash.utf8.count == 60)
        #expect(hasher.verify("b4l0u", against: hash))
    }

    @Test func verifyTellsRightFromWrongPasswords() throws {
        let hash = try hasher.hash("secret", cost: 4)
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(hasher.verify("secret", against: hash))
        #expect(!hasher.verify("Secret", against: hash))
        #expect(!hasher.verify("", against: hash))
    }

    @Test func eachHashHasItsOwnSalt() throws {
        #expect(try hasher.hash("same", cost: 4) != hasher.hash("same", cost: 4))
    }

    @Test func verifiesPythonBcryptHashes() {
        #expect(hasher.verify(TestVectors.seedPassword, against: TestVectors.seedHash))
        #expect(!hasher.verify("t4rt1fl3tt3", against: TestVectors.seedHash))
        #expect(hasher.verify(TestVectors.password, against: TestVectors.hash2b))
    }

    @Test func verifies2aAnd2yPrefixes() {
        #expect(hasher.verify(TestVectors.password, against: TestVectors.hash2a))
        #expect(hasher.verify(TestVectors.password, against: TestVectors.hash2y))
        #expect(!hasher.verify("wrong", against: TestVectors.hash2a))
        #expect(!hasher.verify("wrong", against: TestVectors.hash2y))
    }

    @Test func refusesPasswordsOver72BytesAndAccepts72() throws {
        let limit = String(repeating: "é", count: 36)  // 72 UTF-8 bytes
        #expect(hasher.verify(limit, against: try hasher.hash(limit, cost: 4)))
        #expect(throws: PasswordHasherError.passwordTooLong) { try hasher.hash(limit + "x", cost: 4) }
    }

    @Test func refusesPasswordsWithNULRatherThanTruncating() {
        #expect(throws: PasswordHasherError.passwordContainsNUL) { try hasher.hash("ab\u{0}cd", cost: 4) }
    }

    @Test func malformedEmptyOrNonBcryptHashesNeverVerify() {
        #expect(!hasher.verify("x", against: ""))
        #expect(!hasher.verify("x", against: "not a hash"))
        #expect(!hasher.verify("x", against: "$2b$04$short"))
        // A DES hash of "x" with salt "ab": valid for libcrypt, but not bcrypt.
        #expect(!hasher.verify("x", against: "abiQ6Ep3EYTHc"))
    }

    @Test func aSettingCostsAFullRunButMatchesNothing() throws {
        let setting = try PasswordHasher.makeSetting(cost: 4)
        #expect(setting.hasPrefix("$2b$04$"))
        #expect(setting.utf8.count == 29)
        #expect(!hasher.verify("", against: setting))
        #expect(throws: PasswordHasherError.costOutOfRange(3)) { try PasswordHasher.makeSetting(cost: 3) }
    }
}
