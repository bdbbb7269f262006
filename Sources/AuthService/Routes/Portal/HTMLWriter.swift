/// Writes an HTML page that cannot carry an unescaped value: markup comes only from string
/// literals (`StaticString`, fixed when authd is compiled), and every value through `text`, which
/// escapes the five characters that could end a text node or a quoted attribute.
struct HTMLWriter {
    /// The page so far, UTF-8.
    private(set) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(2048)
    }

    /// Markup written by authd's authors, as it is.
    mutating func markup(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// A value, escaped for a text node or a double- or single-quoted attribute.
    mutating func text(_ value: String) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "&"): markup("&amp;")
            case UInt8(ascii: "<"): markup("&lt;")
            case UInt8(ascii: ">"): markup("&gt;")
            case UInt8(ascii: "\""): markup("&quot;")
            case UInt8(ascii: "'"): markup("&#39;")
            default: bytes.append(byte)
            }
        }
    }

    /// The QR code of a TOTP enrolment as inline SVG: markup authd drew itself (`QRCodeSVG` writes
    /// only fixed elements and numbers), the one piece of markup that is not a literal here.
    mutating func qrCode(of enrolment: TOTPEnrolment) {
        guard let svg = enrolment.qrCode else { return }
        bytes.append(contentsOf: svg.utf8)
    }

    /// A whole number, which needs no escaping.
    mutating func number(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }
}
