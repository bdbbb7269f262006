/// Compact JSON objects of string values with sorted keys, as Flask's `jsonify` writes them.
public enum JSONWriter {
    /// `{"k":"v",...}` plus a newline, keys sorted by code point; `"`, `\` and control characters
    /// escaped, `/` and non-ASCII left as UTF-8.
    public static func object(_ pairs: [(String, String)]) -> [UInt8] {
        if pairs.count == 1 { return object(pairs[0].0, pairs[0].1) }
        // UTF-8 byte order is code point order, which is how Python sorts keys.
        let sorted = pairs.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        // Reserved before the first byte: a literal `[0x7B]` would allocate once more.
        var out: [UInt8] = []
        out.reserveCapacity(pairs.reduce(4) { $0 + $1.0.utf8.count + $1.1.utf8.count + 6 })
        out.append(0x7B)
        for (index, pair) in sorted.enumerated() {
            if index > 0 { out.append(0x2C) }
            appendString(pair.0, to: &out)
            out.append(0x3A)
            appendString(pair.1, to: &out)
        }
        out.append(0x7D)
        out.append(0x0A)
        return out
    }

    /// `{"key":"value"}` plus a newline: the one-pair object, with no array of pairs to build
    /// (`GET /profile` answers one on every request).
    public static func object(_ key: String, _ value: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(key.utf8.count + value.utf8.count + 8)
        out.append(0x7B)
        appendString(key, to: &out)
        out.append(0x3A)
        appendString(value, to: &out)
        out.append(0x7D)
        out.append(0x0A)
        return out
    }

    /// Appends `text` as a JSON string literal.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        appendString(utf8: text.utf8, to: &out)
    }

    /// Appends UTF-8 `bytes` as a JSON string literal, without building a String first.
    public static func appendString(utf8 bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        let copied: Void? = bytes.withContiguousStorageIfAvailable { bytes in
            // The usual case, nothing to escape: one bulk copy instead of a checked append per byte.
            guard bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
                out.append(0x22)
                out.append(contentsOf: bytes)
                out.append(0x22)
                return
            }
            appendEscaped(bytes, to: &out)
        }
        if copied == nil { appendEscaped(bytes, to: &out) }
    }

    /// Appends `bytes` as a JSON string literal, escaping byte by byte.
    private static func appendEscaped(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        for b in bytes {
            switch b {
            case 0x22, 0x5C: escape(b, into: &out)
            case 0x0A: escape(0x6E, into: &out)
            case 0x0D: escape(0x72, into: &out)
            case 0x09: escape(0x74, into: &out)
            case 0x08: escape(0x62, into: &out)
            case 0x0C: escape(0x66, into: &out)
            case 0x00..<0x20:
                escape(0x75, into: &out)
                out.append(0x30)
                out.append(0x30)
                out.append(0x30 + (b >> 4))
                let low = b & 0xF
                out.append(low < 10 ? 0x30 + low : 0x57 + low)
            default: out.append(b)
            }
        }
        out.append(0x22)
    }

    @inline(__always)
    private static func escape(_ letter: UInt8, into out: inout [UInt8]) {
        out.append(0x5C)
        out.append(letter)
    }
}
