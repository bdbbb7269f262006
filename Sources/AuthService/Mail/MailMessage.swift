import Glibc

/// A plain-text Internet message (RFC 5322): header fields and a body, rendered with CRLF line
/// ends. Refuses what would let a value break out of its field: a header holding CR, LF or another
/// control character is never written, whatever put it there.
struct MailMessage: Sendable {
    /// The longest line a message may hold, without its CRLF (RFC 5322 §2.1.1).
    static let maximumLineBytes = 998

    /// Why a message cannot be rendered.
    enum Invalid: Error, Sendable, Equatable {
        /// This header's name or value holds a line break or a control character.
        case headerInjection(String)
        /// A line is longer than `maximumLineBytes`.
        case lineTooLong
    }

    /// The header fields, in order.
    var headers: [(name: String, value: String)]
    /// The body; its line breaks become CRLF.
    var body: String

    /// The message's bytes, or why it cannot be sent.
    func rendered() throws(Invalid) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ":") }),
                value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f })
            else { throw .headerInjection(name) }
            let line = Array("\(name): \(value)".utf8)
            guard line.count <= Self.maximumLineBytes else { throw .lineTooLong }
            out.append(contentsOf: line)
            out.append(contentsOf: [0x0d, 0x0a])
        }
        out.append(contentsOf: [0x0d, 0x0a])
        for line in body.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        {
            guard line.utf8.count <= Self.maximumLineBytes else { throw .lineTooLong }
            out.append(contentsOf: line.utf8)
            out.append(contentsOf: [0x0d, 0x0a])
        }
        return out
    }

    /// `milliseconds` (unix) as an RFC 5322 date in UTC: `Tue, 05 Nov 2024 09:03:07 +0000`.
    static func date(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
