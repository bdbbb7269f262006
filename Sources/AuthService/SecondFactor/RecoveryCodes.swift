/// Recovery codes: ten one-time codes of 80 random bits each, shown once at enrolment and stored
/// only as SHA-256 digests (like session ids: a code that cannot be guessed needs no slow hash, and
/// a backup holds none). Shown as four groups of four lower-case base32 characters.
public enum RecoveryCodes {
    /// Codes issued at enrolment.
    public static let count = 10
    /// Random bits in each code.
    public static let bits = 80

    /// `count` new codes as shown to the user, `abcd-efgh-ijkl-mnop`.
    static func make() -> [String] {
        (0..<count).map { _ in
            let characters = Array(Base32.encode(SecureRandom.bytes(bits / 8)).lowercased())
            return stride(from: 0, to: characters.count, by: 4).map { String(characters[$0..<$0 + 4]) }
                .joined(separator: "-")
        }
    }

    /// The digest a code is stored as, from the code as typed: case, dashes and spaces do not
    /// matter, and digits apps or eyes confuse with letters (`0` `1` `8`, never in base32) read as
    /// `o` `l` `b`. Nil when what is left is not 16 base32 characters.
    public static func digest(of typed: String) -> String? {
        var normalized: [UInt8] = []
        for byte in typed.utf8 {
            switch byte {
            case UInt8(ascii: "-"), UInt8(ascii: " "): continue
            case UInt8(ascii: "0"): normalized.append(UInt8(ascii: "o"))
            case UInt8(ascii: "1"): normalized.append(UInt8(ascii: "l"))
            case UInt8(ascii: "8"): normalized.append(UInt8(ascii: "b"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): normalized.append(byte | 0x20)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "2")...UInt8(ascii: "7"): normalized.append(byte)
            default: return nil
            }
        }
        guard normalized.count == bits / 5 else { return nil }
        return SecretDigest.sha256Hex(String(decoding: normalized, as: UTF8.self))
    }
}
