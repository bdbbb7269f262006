/// Percent-encoding for the values put in links: reset mails, the gate's `rd`.
enum PercentEncoding {
    /// `text` with every byte outside RFC 3986's unreserved characters (letters, digits, `-._~`)
    /// written `%XX`: safe in a query, a path segment or a fragment.
    static func encoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
