/// One SMTP reply (RFC 5321 §4.2): a three-digit code and its lines, `250-first`, ..., `250 last`.
struct SMTPReply: Sendable, Equatable {
    /// The most lines one reply may have; a relay sending more is treated as broken.
    static let maximumLines = 64
    /// The most characters of the relay's text kept for a log line.
    static let maximumTextLength = 160

    var code: Int
    /// The text of each line, after the code and its separator.
    var lines: [String]

    /// The text for a log: printable ASCII only (the relay is not trusted), bounded in length.
    var text: String {
        let joined = lines.joined(separator: " ")
        let printable = joined.unicodeScalars.map { scalar -> Character in
            scalar.value >= 0x20 && scalar.value < 0x7f ? Character(scalar) : "?"
        }
        return String(printable.prefix(Self.maximumTextLength))
    }

    /// What one line says: its code, whether another line follows, its text; nil when it is not a
    /// reply line (no three-digit code from 2xx to 5xx, or no ' ' or '-' after it).
    static func parse(line: [UInt8]) -> (code: Int, continues: Bool, text: String)? {
        guard line.count >= 3 else { return nil }
        let digits = line[0..<3]
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let code = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard (200..<600).contains(code) else { return nil }
        if line.count == 3 { return (code, false, "") }
        let continues: Bool
        switch line[3] {
        case UInt8(ascii: "-"): continues = true
        case UInt8(ascii: " "): continues = false
        default: return nil
        }
        return (code, continues, String(decoding: line[4...], as: UTF8.self))
    }

    /// Reads one whole reply, line by line from `nextLine`; `.malformedReply` for a line that is not
    /// one, a continuation with another code, or too many lines.
    static func read(at stage: SMTPStage, _ nextLine: () throws(SMTPFailure) -> [UInt8]) throws(SMTPFailure)
        -> SMTPReply
    {
        var lines: [String] = []
        var code: Int?
        while true {
            guard let parsed = parse(line: try nextLine()) else { throw .malformedReply(stage) }
            guard code == nil || code == parsed.code else { throw .malformedReply(stage) }
            code = parsed.code
            lines.append(parsed.text)
            guard lines.count <= maximumLines else { throw .malformedReply(stage) }
            if !parsed.continues { return SMTPReply(code: parsed.code, lines: lines) }
        }
    }
}
