/// Random version-4 UUIDs in the canonical lower-case form Python's `str(uuid4())` prints.
enum UUID4 {
    /// A new uuid4 from the system's cryptographic random source: two 64-bit draws (one
    /// `getrandom` each), not sixteen one-byte ones.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var words: (UInt64, UInt64) = (generator.next(), generator.next())
        return withUnsafeMutableBytes(of: &words) { bytes in
            bytes[6] = bytes[6] & 0x0f | 0x40  // version 4
            bytes[8] = bytes[8] & 0x3f | 0x80  // RFC 4122 variant
            return String(unsafeUninitializedCapacity: 36) { text in
                var out = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[out] = UInt8(ascii: "-")
                        out += 1
                    }
                    text[out] = LowerHex.digit(bytes[index] >> 4)
                    text[out + 1] = LowerHex.digit(bytes[index])
                    out += 2
                }
                return out
            }
        }
    }
}
