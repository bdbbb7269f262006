/// `application/x-www-form-urlencoded` as browsers and `requests` send it: `&`-separated
/// `name=value` pairs, `+` for space, `%XX` escapes (WHATWG URL §5).
enum URLEncodedDecoder {
    static func decode(_ bytes: ArraySlice<UInt8>) throws(FormDecodeError) -> FormFields {
        var fields = FormFields()
        var start = bytes.startIndex
        while start <= bytes.endIndex {
            let end = bytes[start...].firstIndex(of: 0x26) ?? bytes.endIndex
            if end > start {
                if fields.count == FormDecoder.maxFields { throw .tooManyFields }
                let pair = bytes[start..<end]
                let equals = pair.firstIndex(of: 0x3D) ?? pair.endIndex
                let name = try percentDecoded(pair[..<equals])
                let value = equals < pair.endIndex ? try percentDecoded(pair[(equals + 1)...]) : ""
                fields.append(name: name, value: value)
            }
            start = end + 1
        }
        return fields
    }

    /// Decodes `+` and `%XX`; a `%` not followed by two hex digits is an error.
    static func percentDecoded(_ bytes: ArraySlice<UInt8>) throws(FormDecodeError) -> String {
        // Fast path: most names and values need no decoding.
        if !bytes.contains(where: { $0 == 0x25 || $0 == 0x2B }) { return try validatedString(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == 0x2B {
                out.append(0x20)
            } else if b == 0x25 {
                guard i + 2 < bytes.endIndex,
                    let high = ByteClass.hexValue(bytes[i + 1]), let low = ByteClass.hexValue(bytes[i + 2])
                else { throw .invalidPercentEncoding }
                out.append(UInt8(high << 4 | low))
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return try validatedString(out)
    }
}
