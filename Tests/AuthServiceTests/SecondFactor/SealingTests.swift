import Glibc
import Testing

@testable import AuthService

/// AES-256-GCM through libcrypto, bound to the user, under a key from a file that names its id.
@Suite struct SealingTests {
    @Test func openingIsAESGCMAsNISTsTestCase14() {
        // McGrew and Viega's GCM test case 14: key and IV all zero, one zero block.
        let box =
            [UInt8](repeating: 0, count: 12) + Hex.decode("cea7403d4d606b6e074ec5d3baf39d18")!
            + Hex.decode("d0d1c8a799996bf0265b98b5d48ab919")!
        let key = [UInt8](repeating: 0, count: 32)
        #expect(AESGCM.open(box, key: key, associatedData: []) == [UInt8](repeating: 0, count: 16))
        var forged = box
        forged[20] ^= 1
        #expect(AESGCM.open(forged, key: key, associatedData: []) == nil)
    }

    @Test func aSealedSecretOpensOnlyForItsUserAndUnchanged() throws {
        let keys = SealingKeyring(current: .random())
        let secret = TOTP.makeSecret()
        let sealed = try keys.seal(secret, for: .totpSecret(userID: 7, email: "a@b.c"))
        #expect(sealed.keyID == keys.current.id)
        #expect(!sealed.sealed.contains(Hex.encode(secret)))
        #expect(keys.open(sealed, for: .totpSecret(userID: 7, email: "a@b.c")) == secret)
        #expect(keys.open(sealed, for: .totpSecret(userID: 8, email: "a@b.c")) == nil)
        #expect(keys.open(sealed, for: .totpSecret(userID: 7, email: "z@b.c")) == nil)
        var altered = sealed
        altered.sealed = String(altered.sealed.dropLast()) + (altered.sealed.hasSuffix("0") ? "1" : "0")
        #expect(keys.open(altered, for: .totpSecret(userID: 7, email: "a@b.c")) == nil)
        // Two seals of one secret differ (a fresh nonce each).
        #expect(try keys.seal(secret, for: .totpSecret(userID: 7, email: "a@b.c")).sealed != sealed.sealed)
    }

    @Test func aPreviousKeyStillOpensWhatItSealedAndAnUnknownOneDoesNot() throws {
        let old = SealingKey.random()
        let sealed = try SealingKeyring(current: old).seal([1, 2, 3], for: .totpSecret(userID: 1, email: "a@b.c"))
        let rotated = SealingKeyring(current: .random(), previous: [old])
        #expect(rotated.open(sealed, for: .totpSecret(userID: 1, email: "a@b.c")) == [1, 2, 3])
        #expect(rotated.isStale(sealed))
        #expect(SealingKeyring(current: .random()).open(sealed, for: .totpSecret(userID: 1, email: "a@b.c")) == nil)
    }

    @Test func theKeyIDIsEightHexDigitsOfTheKeysDigest() {
        let key = SealingKey(bytes: [UInt8](repeating: 0, count: 32))!
        // SHA-256 of 32 zero bytes begins 66687aad.
        #expect(key.id == "66687aad")
        #expect(SealingKey(bytes: [UInt8](repeating: 0, count: 31)) == nil)
    }

    @Test func aKeyFileMustHoldExactlyThirtyTwoBytes() throws {
        let directory = try #require(mkdtemp(strdup("/tmp/authd-key-XXXXXX")).map { String(cString: $0) })
        defer { _ = system("rm -rf '\(directory)'") }
        func write(_ count: Int) -> String {
            let path = "\(directory)/key\(count)"
            let file = fopen(path, "w")!
            fwrite([UInt8](repeating: 7, count: count), 1, count, file)
            fclose(file)
            return path
        }
        #expect(try SealingKey(contentsOfFile: write(32)).bytes == [UInt8](repeating: 7, count: 32))
        let missing = "\(directory)/none"
        #expect(
            throws: SealingKeyError.unreadable(
                flag: "--secret-key-file", path: missing, reason: "No such file or directory")
        ) {
            try SealingKey(contentsOfFile: missing)
        }
        let short = write(31)
        #expect(throws: SealingKeyError.wrongSize(flag: "--secret-key-file", path: short, bytes: 31)) {
            try SealingKey(contentsOfFile: short)
        }
        do {
            _ = try SealingKey(contentsOfFile: write(64), flag: "--previous-secret-key-file")
            Issue.record("a 64-byte file was taken")
        } catch {
            #expect(
                error.description
                    == "--previous-secret-key-file \(directory)/key64 must hold exactly 32 bytes, not more; "
                    + "make one with: head -c 32 /dev/urandom > \(directory)/key64; chmod 600 \(directory)/key64")
        }
    }

    @Test func recoveryCodesCarryEightyBitsAndAreStoredAsDigestsOfWhatWasTyped() throws {
        let codes = RecoveryCodes.make()
        #expect(codes.count == 10 && Set(codes).count == 10)
        for code in codes {
            #expect(code.count == 19 && code.split(separator: "-").map(\.count) == [4, 4, 4, 4])
        }
        let digest = try #require(RecoveryCodes.digest(of: codes[0]))
        #expect(digest.count == 64 && !digest.contains(codes[0]))
        #expect(RecoveryCodes.digest(of: codes[0].uppercased().replacingOccurrences(of: "-", with: " ")) == digest)
        #expect(RecoveryCodes.digest(of: "abcd-efgh-ljkl-mnop") == RecoveryCodes.digest(of: "ABCD EFGH 1JKL MN0P"))
        #expect(RecoveryCodes.digest(of: codes[0] + "a") == nil)
        #expect(RecoveryCodes.digest(of: "abcd-efgh-ijkl-mno!") == nil)
    }

    @Test func anEnrolmentShowsTheSecretAndKeepsItOnlySealed() throws {
        let keys = SealingKeyring(current: .random())
        let enrolment = try TOTPEnrolment.make(userID: 3, account: "a@b.c", issuer: "authd", keys: keys)
        #expect(enrolment.uri.contains("secret=\(enrolment.secret)&"))
        #expect(enrolment.qrCode?.hasPrefix("<svg") == true)
        let opened = try #require(keys.open(enrolment.sealed, for: .totpSecret(userID: 3, email: "a@b.c")))
        #expect(Base32.encode(opened) == enrolment.secret)
    }
}
