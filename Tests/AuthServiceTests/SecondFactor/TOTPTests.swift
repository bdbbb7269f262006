import Testing

@testable import AuthService

/// RFC 6238 codes through libcrypto's HMAC-SHA1, and the ±1-step window.
@Suite struct TOTPTests {
    /// RFC 6238 Appendix B's SHA-1 secret.
    private let secret = Array("12345678901234567890".utf8)

    @Test func hmacSHA1IsRFC2202sFirstVector() {
        let mac = HMACSHA1.authenticate(Array("Hi There".utf8), key: [UInt8](repeating: 0x0b, count: 20))
        #expect(Hex.encode(mac) == "b617318655057264e28bc0b6fb378c8ef146be00")
    }

    /// Appendix B's eight-digit values, whose last six digits are the six-digit codes.
    @Test(arguments: [
        (Int64(59), "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"), (1_234_567_890, "005924"),
        (2_000_000_000, "279037"), (20_000_000_000, "353130"),
    ])
    func codesAreRFC6238sTestVectors(seconds: Int64, expected: String) {
        let step = TOTP.step(atMilliseconds: seconds * 1000)
        #expect(TOTP.formatted(TOTP.code(secret: secret, step: step)) == expected)
        #expect(TOTP.matchingStep(expected, secret: secret, atMilliseconds: seconds * 1000) == step)
    }

    @Test func aCodeIsAcceptedOneStepEitherSideAndNotTwo() {
        let now: Int64 = 1_700_000_000_000
        let step = TOTP.step(atMilliseconds: now)
        for offset in Int64(-1)...1 {
            let code = TOTP.formatted(TOTP.code(secret: secret, step: step + offset))
            #expect(TOTP.matchingStep(code, secret: secret, atMilliseconds: now) == step + offset)
        }
        for offset: Int64 in [-2, 2] {
            let code = TOTP.formatted(TOTP.code(secret: secret, step: step + offset))
            #expect(TOTP.matchingStep(code, secret: secret, atMilliseconds: now) == nil)
        }
    }

    @Test func onlySixDigitsAreACodeThoughSpacesAreIgnored() {
        let now: Int64 = 59_000
        #expect(TOTP.matchingStep("287 082", secret: secret, atMilliseconds: now) == 1)
        for typed in ["28708", "2870820", "28708a", "", "-287082", "２87082"] {
            #expect(TOTP.matchingStep(typed, secret: secret, atMilliseconds: now) == nil, "\(typed)")
        }
    }

    @Test func stepsRoundDownAtTheirBoundaries() {
        #expect(TOTP.step(atMilliseconds: 29_999) == 0)
        #expect(TOTP.step(atMilliseconds: 30_000) == 1)
        #expect(TOTP.step(atMilliseconds: -1) == -1)
    }

    @Test func base32IsRFC4648sAlphabetUnpadded() {
        let vectors = [
            "": "", "f": "MY", "fo": "MZXQ", "foo": "MZXW6", "foob": "MZXW6YQ", "fooba": "MZXW6YTB",
            "foobar": "MZXW6YTBOI",
        ]
        for (text, expected) in vectors {
            #expect(Base32.encode(Array(text.utf8)) == expected)
        }
        #expect(Base32.encode(TOTP.makeSecret()).count == 32)
    }

    @Test func theURINamesIssuerAccountSecretAndParameters() {
        let uri = OTPAuthURI.make(secret: secret, account: "a b+c@ex.am", issuer: "auth d")
        #expect(
            uri == "otpauth://totp/auth%20d:a%20b%2Bc%40ex.am?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                + "&issuer=auth%20d&algorithm=SHA1&digits=6&period=30")
    }

    @Test func theQRCodeIsAnSVGOfTheSymbolLibqrencodeDraws() throws {
        let svg = try #require(QRCodeSVG.make("otpauth://totp/authd:a%40b.c?secret=ABC"))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "))
        // A version-v symbol is 17 + 4v modules wide, plus the quiet zone both sides.
        let side = try #require(Int(svg.split(separator: " ")[4].prefix { $0.isNumber }))
        #expect((side - 2 * QRCodeSVG.quietZone - 17) % 4 == 0)
        // The top-left finder pattern: a row of seven dark modules at the quiet zone's corner.
        #expect(svg.contains("d=\"M4 4h7v1h-7z"))
        #expect(QRCodeSVG.make(String(repeating: "x", count: 8000)) == nil)
    }
}
