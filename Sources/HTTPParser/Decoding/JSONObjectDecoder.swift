/// A flat JSON object whose values are all strings (RFC 8259), the JSON form of a form post.
enum JSONObjectDecoder {
    static func decode(_ bytes: [UInt8]) throws(FormDecodeError) -> FormFields {
        var reader = Reader(bytes: bytes)
        var fields = FormFields()
        reader.skipWhitespace()
        try reader.expect(0x7B)
        reader.skipWhitespace()
        if reader.peek() == 0x7D {
            reader.index += 1
        } else {
            while true {
                if fields.count == FormDecoder.maxFields { throw .tooManyFields }
                let name = try reader.string()
                reader.skipWhitespace()
                try reader.expect(0x3A)
                reader.skipWhitespace()
                guard reader.peek() == 0x22 else {
                    throw reader.peek() == nil ? .malformedJSON : .nonStringJSONValue
                }
                fields.append(name: name, value: try reader.string())
                reader.skipWhitespace()
                if reader.peek() == 0x2C {
                    reader.index += 1
                    reader.skipWhitespace()
                    continue
                }
                try reader.expect(0x7D)
                break
            }
        }
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw .malformedJSON }
        return fields
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        func peek() -> UInt8? {
            index < bytes.count ? bytes[index] : nil
        }

        mutating func skipWhitespace() {
            while let b = peek(), b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(FormDecodeError) {
            guard peek() == byte else { throw .malformedJSON }
            index += 1
        }

        /// A JSON string at the current position, escapes resolved.
        mutating func string() throws(FormDecodeError) -> String {
            try expect(0x22)
            var out: [UInt8] = []
            while true {
                guard let b = peek() else { throw .malformedJSON }
                index += 1
                switch b {
                case 0x22:
                    return try validatedString(out)
                case 0x5C:
                    try escape(into: &out)
                case 0x00..<0x20:
                    throw .malformedJSON
                default:
                    out.append(b)
                }
            }
        }

        private mutating func escape(into out: inout [UInt8]) throws(FormDecodeError) {
            guard let b = peek() else { throw .malformedJSON }
            index += 1
            switch b {
            case 0x22, 0x5C, 0x2F: out.append(b)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard peek() == 0x5C else { throw .malformedJSON }
                    index += 1
                    try expect(0x75)
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw .malformedJSON }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar), let encoded = UTF8.encode(unicode) else {
                    throw .malformedJSON
                }
                out.append(contentsOf: encoded)
            default:
                throw .malformedJSON
            }
        }

        private mutating func hex4() throws(FormDecodeError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let b = peek(), let digit = ByteClass.hexValue(b) else { throw .malformedJSON }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }
    }
}
