/// Reads one cookie from a `Cookie` header (RFC 6265 §5.4: `a=b; c=d`).
public enum CookieParser {
    /// The value of the first cookie called `name` (case-sensitive), without surrounding quotes.
    public static func value(named name: String, in header: String) -> String? {
        for pair in header.utf8.split(separator: 0x3B, omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: 0x3D) else { continue }
            let key = trimmed(pair[..<equals])
            guard key.elementsEqual(name.utf8) else { continue }
            var value = trimmed(pair[pair.index(after: equals)...])
            if value.count >= 2, value.first == 0x22, value.last == 0x22 {
                value = value.dropFirst().dropLast()
            }
            return String(Substring(value))
        }
        return nil
    }

    private static func trimmed(_ s: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        var s = s
        while let b = s.first, b == 0x20 || b == 0x09 { s = s.dropFirst() }
        while let b = s.last, b == 0x20 || b == 0x09 { s = s.dropLast() }
        return s
    }
}
