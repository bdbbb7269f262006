/// Byte classes of RFC 9110 used while parsing, as branch-light bit tests.
enum ByteClass {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let slash: UInt8 = 0x2F
    static let question: UInt8 = 0x3F
    static let at: UInt8 = 0x40

    /// `tchar` of RFC 9110 §5.6.2: the bytes of methods and field names.
    @inline(__always)
    static func isToken(_ b: UInt8) -> Bool {
        // Bit masks of the token characters in 0..<64 and 64..<128.
        let low: UInt64 = 0x03FF_6CFA_0000_0000
        let high: UInt64 = 0x57FF_FFFF_C7FF_FFFE
        if b >= 128 { return false }
        let mask = b < 64 ? low : high
        return (mask >> UInt64(b & 63)) & 1 == 1
    }

    /// A field-value byte: visible ASCII, space, tab or obs-text; never NUL, CR, LF, DEL or other controls.
    @inline(__always)
    static func isFieldValue(_ b: UInt8) -> Bool {
        (b >= 0x20 && b != 0x7F) || b == tab
    }

    /// Whether every byte of a field value passes `isFieldValue`, checked eight bytes at a time.
    ///
    /// The word test (bytes below 0x20, or equal to 0x7F) may flag a clean word, never miss a bad
    /// one; a flagged word is rechecked byte by byte, which also lets tabs through.
    @inline(__always)
    static func areFieldValue(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let raw = UnsafeRawPointer(p)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func wordIsClean(_ i: Int) -> Bool {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let control = (x &- ones &* 0x20) & ~x & highs
            let y = x ^ (ones &* 0x7F)
            let delete = (y &- ones) & ~y & highs
            if control | delete == 0 { return true }
            for j in i..<(i + 8) where !isFieldValue(p[j]) { return false }
            return true
        }
        guard count >= 8 else {
            for i in 0..<count where !isFieldValue(p[i]) { return false }
            return true
        }
        var i = 0
        while i + 8 <= count {
            if !wordIsClean(i) { return false }
            i += 8
        }
        // The last bytes as the word that ends with them, overlapping the one before: one test
        // instead of a loop of up to seven (a header name or short value is mostly tail).
        return i == count || wordIsClean(count - 8)
    }

    /// A request-target byte: visible ASCII only (browsers percent-encode everything else).
    @inline(__always)
    static func isTarget(_ b: UInt8) -> Bool {
        b > 0x20 && b < 0x7F
    }

    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool {
        b == space || b == tab
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: Int(b &- 0x30)
        case 0x41...0x46: Int(b &- 0x37)
        case 0x61...0x66: Int(b &- 0x57)
        default: nil
        }
    }

    /// Whether `count` bytes at `p` equal the lower-case ASCII `literal`, ignoring ASCII case.
    @inline(__always)
    static func equalsLowercased(
        _ p: UnsafePointer<UInt8>, _ count: Int, _ literal: StaticString
    ) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        let l = literal.utf8Start
        for i in 0..<count {
            let b = p[i]
            // Folding with 0x20 is only a case fold for letters; the literal is lower-case.
            let folded = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
            if folded != l[i] { return false }
        }
        return true
    }
}
