import CLibcrypto

/// Session ids and reset tokens as the database keeps them: SHA-256 (OpenSSL's libcrypto), in
/// lower-case hex, so whoever reads a backup holds no live session or token.
enum SecretDigest {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The SHA-256 of `secret`'s UTF-8 bytes, as 64 hex digits.
    static func sha256Hex(_ secret: String) -> String {
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var bytes = secret
        return withUnsafeMutableBytes(of: &digest) { digest in
            bytes.withUTF8 { text in
                clibcrypto_sha256(text.baseAddress, text.count, digest.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            return String(unsafeUninitializedCapacity: 64) { out in
                for index in 0..<32 {
                    out[2 * index] = hexDigits[Int(digest[index] >> 4)]
                    out[2 * index + 1] = hexDigits[Int(digest[index] & 0x0f)]
                }
                return 64
            }
        }
    }

    /// Whether `text` is a canonical lower-case uuid4 as the seed writes them (36 characters): only
    /// such a value may match a raw seed-made row, never a 64-digit digest read from a backup.
    static func looksLikeSeedSecret(_ text: String) -> Bool {
        guard text.utf8.count == 36 else { return false }
        var text = text
        return text.withUTF8 { bytes in
            for index in 0..<36 {
                let byte = bytes[index]
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard byte == UInt8(ascii: "-") else { return false }
                } else {
                    guard (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) else { return false }
                }
            }
            return true
        }
    }
}
