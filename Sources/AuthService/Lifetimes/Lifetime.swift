/// How long a session or a reset token stays valid, parsed from `90`, `90s`, `15m`, `2h` or `7d`.
public struct Lifetime: Sendable, Equatable {
    /// The length in milliseconds.
    public var milliseconds: Int64

    /// A lifetime of `seconds` seconds.
    public init(seconds: Int64) {
        milliseconds = seconds * 1000
    }

    /// Parses a positive whole number with an optional unit (s, m, h, d; none means seconds);
    /// nil for anything else, zero, or a value too large to count in milliseconds.
    public init?(parsing text: String) {
        var digits = Substring(text)
        let unit: Int64
        switch text.last {
        case "s": unit = 1
        case "m": unit = 60
        case "h": unit = 3600
        case "d": unit = 86_400
        default: unit = 0
        }
        if unit != 0 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int64(digits), count > 0
        else {
            return nil
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: max(unit, 1))
        guard !overflow, seconds <= Int64.max / 1000 else { return nil }
        milliseconds = seconds * 1000
    }

    /// Whether something made at `createdAt` is past this lifetime at `now` (both unix milliseconds).
    public func hasExpired(createdAt: Int64, now: Int64) -> Bool {
        now - createdAt >= milliseconds
    }
}
