/// A DNS host name as the gate compares them: lower-case ASCII letters, digits and hyphens in
/// non-empty dot-separated labels, the last not all digits. IP addresses (which a browser reads
/// in forms such as `0x7f.1`), user info, percent escapes and non-ASCII names (use their punycode
/// form) are not host names here: the redirect rule must never have to guess how a browser would
/// read a host.
public struct HostName: Sendable, Hashable, CustomStringConvertible {
    /// The name, lower-cased.
    public let text: String

    /// Reads `text` ignoring ASCII case (a leading dot, as old cookie domains are written, is
    /// dropped); nil when it is not a host name by the rule above.
    public init?(parsing text: some StringProtocol) {
        var bytes = Array(text.utf8)
        if bytes.first == UInt8(ascii: ".") { bytes.removeFirst() }
        guard let name = Self.normalized(bytes[...]) else { return nil }
        self.text = name
    }

    /// The lower-cased name `bytes` spell, or nil when they break the rule (at most 253 bytes).
    static func normalized(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.isEmpty, bytes.count <= 253 else { return nil }
        var lowered: [UInt8] = []
        lowered.reserveCapacity(bytes.count)
        var labelLength = 0
        var labelIsNumber = true
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                lowered.append(byte)
                labelLength += 1
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"):
                lowered.append(byte)
                labelLength += 1
                labelIsNumber = false
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                lowered.append(byte | 0x20)
                labelLength += 1
                labelIsNumber = false
            case UInt8(ascii: "."):
                guard labelLength > 0 else { return nil }
                lowered.append(byte)
                labelLength = 0
                labelIsNumber = true
            default:
                return nil
            }
            guard labelLength <= 63 else { return nil }
        }
        // A last label of digits makes the whole an IPv4 address to a browser (WHATWG URL's host parser).
        guard labelLength > 0, !labelIsNumber else { return nil }
        return String(decoding: lowered, as: UTF8.self)
    }

    /// True for this name itself and every name under it (`a.example.com` under `example.com`).
    func covers(_ host: String) -> Bool {
        host == text || (host.utf8.count > text.utf8.count && host.hasSuffix("." + text))
    }

    public var description: String { text }
}
