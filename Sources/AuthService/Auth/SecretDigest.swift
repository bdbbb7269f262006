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
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            let dash = UInt8(ascii: "-")
            guard base[8] == dash, base[13] == dash, base[18] == dash, base[23] == dash else { return false }
            // The five groups of digits, eight bytes at a time (the last two words overlap; a
            // four-digit group is padded with `0`s): a test per byte cost about 500 instructions
            // on every session lookup (callgrind).
            let raw = UnsafeRawPointer(base)
            let padding: UInt64 = 0x3030_3030 << 32
            return areLowerHexDigits(raw.loadUnaligned(as: UInt64.self))
                && areLowerHexDigits(UInt64(raw.loadUnaligned(fromByteOffset: 9, as: UInt32.self)) | padding)
                && areLowerHexDigits(UInt64(raw.loadUnaligned(fromByteOffset: 14, as: UInt32.self)) | padding)
                && areLowerHexDigits(UInt64(raw.loadUnaligned(fromByteOffset: 19, as: UInt32.self)) | padding)
                && areLowerHexDigits(raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
                && areLowerHexDigits(raw.loadUnaligned(fromByteOffset: 28, as: UInt64.self))
        }
    }

    /// Whether each of the eight bytes of `word` is `0`–`9` or `a`–`f`. Per ASCII byte `b` (the
    /// high bits are checked first), adding `0x80 - lo` sets its high bit exactly when `b >= lo`,
    /// adding `0x7F - hi` exactly when `b > hi`, and no carry crosses into the next byte.
    @inline(__always)
    private static func areLowerHexDigits(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs = ones &* 0x80
        @inline(__always) func within(_ low: UInt64, _ high: UInt64) -> UInt64 {
            (word &+ ones &* (0x80 - low)) & ~(word &+ ones &* (0x7F - high)) & highs
        }
        return word & highs == 0 && within(0x30, 0x39) | within(0x61, 0x66) == highs
    }
}
