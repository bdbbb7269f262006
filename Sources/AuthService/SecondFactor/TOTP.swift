/// RFC 6238 time-based one-time passwords as authenticator apps make them by default: HMAC-SHA1,
/// 6 digits, 30-second steps from the Unix epoch; a code is accepted for its step and one step
/// either side (clock drift, a code typed as it changes). Which step was used is for the store to
/// claim: this type only computes.
public enum TOTP {
    /// Digits in a code.
    public static let digits = 6
    /// Seconds in a step.
    public static let period: Int64 = 30
    /// Steps accepted either side of now.
    public static let tolerance: Int64 = 1
    /// Bytes in a new secret (160 bits, RFC 4226's recommendation).
    public static let secretBytes = 20

    /// A new random secret.
    static func makeSecret() -> [UInt8] {
        SecureRandom.bytes(secretBytes)
    }

    /// The step that unix time `milliseconds` falls in.
    public static func step(atMilliseconds milliseconds: Int64) -> Int64 {
        let stepMilliseconds = period * 1000
        // Rounded down for times before 1970 as well.
        return milliseconds >= 0 ? milliseconds / stepMilliseconds : (milliseconds + 1) / stepMilliseconds - 1
    }

    /// The code of `step` for `secret` (RFC 4226's dynamic truncation), as a number below 10^digits.
    static func code(secret: [UInt8], step: Int64) -> UInt32 {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let mac = HMACSHA1.authenticate(message, key: secret)
        guard mac.count == 20 else { return UInt32.max }
        let offset = Int(mac[19] & 0x0f)
        let truncated =
            UInt32(mac[offset] & 0x7f) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8
            | UInt32(mac[offset + 3])
        return truncated % 1_000_000
    }

    /// The code of `step` as typed: six digits, leading zeros kept.
    static func formatted(_ code: UInt32) -> String {
        let text = String(code)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// The step within `tolerance` of `milliseconds` whose code for `secret` is `typed`, the latest
    /// such step should several match; nil when none does or `typed` is not six digits (spaces
    /// around or inside are ignored, as apps show `123 456`). Every candidate is computed and
    /// compared whole, so the time taken does not tell which digits were right.
    public static func matchingStep(_ typed: String, secret: [UInt8], atMilliseconds milliseconds: Int64) -> Int64? {
        guard let value = parse(typed) else { return nil }
        let now = step(atMilliseconds: milliseconds)
        var matched: Int64? = nil
        for candidate in (now - tolerance)...(now + tolerance) {
            // A difference of zero, computed without a branch on the digits.
            if code(secret: secret, step: candidate) ^ value == 0 { matched = candidate }
        }
        return matched
    }

    /// The number `typed` names when it is exactly `digits` ASCII digits once spaces are dropped.
    private static func parse(_ typed: String) -> UInt32? {
        var value: UInt32 = 0
        var count = 0
        for byte in typed.utf8 where byte != UInt8(ascii: " ") {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), count < digits else { return nil }
            value = value * 10 + UInt32(byte - UInt8(ascii: "0"))
            count += 1
        }
        return count == digits ? value : nil
    }
}
