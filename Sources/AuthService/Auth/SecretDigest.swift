import CLibcrypto

/// Session ids and reset tokens as the database keeps them: SHA-256 (OpenSSL's libcrypto), in
/// lower-case hex, so whoever reads a backup holds no live session or token.
enum SecretDigest {
    /// The SHA-256 of `secret`'s UTF-8 bytes, as 64 hex digits.
    static func sha256Hex(_ secret: String) -> String {
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var bytes = secret
        return withUnsafeMutableBytes(of: &digest) { digest in
            bytes.withUTF8 { text in
                clibcrypto_sha256(text.baseAddress, text.count, digest.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            return String(unsafeUninitializedCapacity: 64) { out in
                guard let text = out.baseAddress else { return 0 }
                for index in 0..<32 {
                    let byte = digest.load(fromByteOffset: index, as: UInt8.self)
                    text[2 * index] = LowerHex.digit(byte >> 4)
                    text[2 * index + 1] = LowerHex.digit(byte)
                }
                return 64
            }
        }
    }

    /// Whether `text` is a canonical lower-case uuid4 as the seed writes them (36 characters): only
    /// such a value may match a raw seed-made row, never a 64-digit digest read from a backup.
    static func looksLikeSeedSecret(_ text: String) -> Bool {
        guard text.utf8.count == 36 else { return false }
        // Bit i set: byte i is a dash. One mask test per byte instead of four index compares.
        let dashes: UInt64 = 1 << 8 | 1 << 13 | 1 << 18 | 1 << 23
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            for index in 0..<36 {
                let byte = base[index]
                let valid =
                    dashes >> UInt64(index) & 1 == 1
                    ? byte == UInt8(ascii: "-") : byte &- 0x30 < 10 || byte &- 0x61 < 6
                if !valid { return false }
            }
            return true
        }
    }
}
