#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads one cookie from a `Cookie` header (RFC 6265 §5.4: `a=b; c=d`).
public enum CookieParser {
    /// The value of the first cookie called `name` (case-sensitive), without surrounding quotes.
    public static func value(named name: String, in header: String) -> String? {
        var header = header
        return header.withUTF8 { value(named: name, in: UnsafeRawBufferPointer($0)) }
    }

    /// The same, read from the header value's bytes in place.
    public static func value(named name: String, in header: UnsafeRawBufferPointer) -> String? {
        range(named: name, in: header).map {
            String(decoding: UnsafeRawBufferPointer(rebasing: header[$0]), as: UTF8.self)
        }
    }

    /// Where the value of the first cookie called `name` lies in `header`, without surrounding
    /// quotes: a caller that only compares or digests it need not build a String. With `previous`
    /// (a range this returned for the same header), the next such cookie after it: a header may
    /// name one cookie twice (RFC 6265 §5.4 orders them, but which one a server takes is its choice).
    public static func range(
        named name: String, in header: UnsafeRawBufferPointer, after previous: Range<Int>? = nil
    ) -> Range<Int>? {
        // Every authenticated request reads its cookie: scan the bytes in place, with no
        // intermediate array of pairs.
        guard let base = header.baseAddress else { return nil }
        // A value holds no `;`: the pair after `previous` starts past the next one.
        let start = previous.map { offset(of: 0x3B, in: base, from: $0.upperBound, to: header.count) + 1 } ?? 0
        var name = name
        return name.withUTF8 { find(UnsafeRawBufferPointer($0), in: header, from: start) }
    }

    /// The values of every cookie called `name` in `header`, in order.
    public static func values(named name: String, in header: String) -> [String] {
        var header = header
        return header.withUTF8 { bytes in
            let header = UnsafeRawBufferPointer(bytes)
            var values: [String] = []
            var found = range(named: name, in: header)
            while let range = found {
                values.append(String(decoding: UnsafeRawBufferPointer(rebasing: header[range]), as: UTF8.self))
                found = self.range(named: name, in: header, after: range)
            }
            return values
        }
    }

    private static func find(
        _ name: UnsafeRawBufferPointer, in header: UnsafeRawBufferPointer, from first: Int
    ) -> Range<Int>? {
        guard let base = header.baseAddress else { return nil }
        var start = first
        while start < header.count {
            let end = offset(of: 0x3B, in: base, from: start, to: header.count)
            if let value = match(name, header, start, end) { return value }
            start = end + 1
        }
        return nil
    }

    /// Where `byte` first occurs in `base[from..<to]`, else `to`; memchr, not a loop per byte.
    private static func offset(of byte: UInt8, in base: UnsafeRawPointer, from: Int, to: Int) -> Int {
        guard from < to, let found = memchr(base + from, Int32(byte), to - from) else { return to }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// Where the value of the pair in `header[start..<end]` lies, when its key is `name`.
    private static func match(
        _ name: UnsafeRawBufferPointer, _ header: UnsafeRawBufferPointer, _ start: Int, _ end: Int
    ) -> Range<Int>? {
        guard let base = header.baseAddress else { return nil }
        let equals = offset(of: 0x3D, in: base, from: start, to: end)
        guard equals < end else { return nil }
        let (keyStart, keyEnd) = trimmed(header, start, equals)
        guard keyEnd - keyStart == name.count,
            name.isEmpty || memcmp(base + keyStart, name.baseAddress!, name.count) == 0
        else { return nil }
        var (valueStart, valueEnd) = trimmed(header, equals + 1, end)
        if valueEnd - valueStart >= 2, header[valueStart] == 0x22, header[valueEnd - 1] == 0x22 {
            valueStart += 1
            valueEnd -= 1
        }
        return valueStart..<valueEnd
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> (Int, Int) {
        var start = start
        var end = end
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        return (start, end)
    }
}
