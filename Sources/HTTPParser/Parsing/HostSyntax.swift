/// The syntax of a `Host` field value, `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2):
/// a server must answer 400 to any other value. Checked on every request, so byte masks, no parsing
/// of the address itself (the value names no route and is never used as one).
enum HostSyntax {
    /// Whether the `count` bytes at `p` are an empty value, a `reg-name` or IPv4 address, or a
    /// bracketed IP literal, each optionally followed by `:` and digits.
    static func isValid(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        if count > 0 && p[0] == UInt8(ascii: "[") {
            // IPv6address or IPvFuture: their bytes are all `unreserved`, `sub-delims` or ":".
            i = 1
            while i < count && p[i] != UInt8(ascii: "]") {
                guard isNameByte(p[i]) || p[i] == ByteClass.colon else { return false }
                i += 1
            }
            guard i > 1, i < count else { return false }
            i += 1
        } else {
            while i < count && p[i] != ByteClass.colon {
                if p[i] == UInt8(ascii: "%") {
                    // pct-encoded: "%" HEXDIG HEXDIG
                    guard i + 2 < count, ByteClass.hexValue(p[i + 1]) != nil, ByteClass.hexValue(p[i + 2]) != nil
                    else { return false }
                    i += 3
                    continue
                }
                guard isNameByte(p[i]) else { return false }
                i += 1
            }
        }
        guard i < count else { return true }
        guard p[i] == ByteClass.colon else { return false }
        i += 1
        while i < count {
            guard p[i] &- 0x30 < 10 else { return false }
            i += 1
        }
        return true
    }

    /// `unreserved` or `sub-delims` (RFC 3986 §2.2, §2.3): the bytes of a `reg-name` but "%".
    @inline(__always)
    private static func isNameByte(_ b: UInt8) -> Bool {
        // Bit masks of those characters in 0..<64 and 64..<128.
        let low: UInt64 = 0x2BFF_7FD2_0000_0000
        let high: UInt64 = 0x47FF_FFFE_87FF_FFFE
        if b >= 128 { return false }
        let mask = b < 64 ? low : high
        return (mask >> UInt64(b & 63)) & 1 == 1
    }
}
