/// A parsed `Content-Type` value: `type/subtype` lower-cased and its parameters (RFC 9110 §8.3.1).
struct MediaType {
    let type: String
    private let parameters: [(name: String, value: String)]

    init(_ value: String) {
        var pieces = Self.splitOutsideQuotes(Substring(value)).makeIterator()
        type = pieces.next().map { $0.trimmingWhitespace().lowercased() } ?? ""
        var parameters: [(String, String)] = []
        while let piece = pieces.next() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingWhitespace().lowercased()
            var raw = piece[piece.index(after: equals)...].trimmingWhitespace()
            if raw.count >= 2, raw.first == "\"", raw.last == "\"" {
                raw = Substring(Self.unquote(raw.dropFirst().dropLast()))
            }
            parameters.append((name, String(raw)))
        }
        self.parameters = parameters
    }

    /// The value of parameter `name` (lower-case), unquoted.
    func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// Splits on `;` that are not inside a quoted string.
    private static func splitOutsideQuotes(_ value: Substring) -> [Substring] {
        var pieces: [Substring] = []
        var start = value.startIndex
        var inQuotes = false
        var escaped = false
        for i in value.indices {
            let c = value[i]
            if escaped {
                escaped = false
                continue
            }
            if inQuotes && c == "\\" {
                escaped = true
                continue
            }
            if c == "\"" { inQuotes.toggle() }
            if c == ";" && !inQuotes {
                pieces.append(value[start..<i])
                start = value.index(after: i)
            }
        }
        pieces.append(value[start...])
        return pieces
    }

    /// Removes the backslashes of a quoted-string's quoted-pairs.
    static func unquote(_ s: Substring) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if !escaped && c == "\\" {
                escaped = true
                continue
            }
            escaped = false
            out.append(c)
        }
        return out
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> SubSequence {
        var start = startIndex
        var end = endIndex
        while start < end && (self[start] == " " || self[start] == "\t") { start = index(after: start) }
        while end > start && (self[index(before: end)] == " " || self[index(before: end)] == "\t") {
            end = index(before: end)
        }
        return self[start..<end]
    }
}
