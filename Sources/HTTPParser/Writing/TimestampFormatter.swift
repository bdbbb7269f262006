#if canImport(Glibc)
import Glibc
#endif

/// Writes unix milliseconds as `2026-11-25T03:20:35.123Z`, reformatting the part up to the second
/// only when the second changes. Not thread-safe: one per thread.
public struct TimestampFormatter {
    private var second = Int64.min
    private var prefix: [UInt8] = []

    /// A formatter with an empty cache.
    public init() {}

    /// Appends the timestamp of `milliseconds` (since 1970, UTC) to `out`.
    public mutating func append(_ milliseconds: Int64, to out: inout [UInt8]) {
        let seconds = milliseconds / 1000
        if seconds != second {
            second = seconds
            prefix = Self.formatSeconds(seconds)
        }
        out.append(contentsOf: prefix)
        out.append(UInt8(ascii: "."))
        Self.appendDigits(Int(milliseconds % 1000), width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    private static func formatSeconds(_ seconds: Int64) -> [UInt8] {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(19)
        appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mon) + 1, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mday), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(Int(parts.tm_hour), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_min), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_sec), width: 2, to: &out)
        return out
    }

    /// Appends `value` in decimal, zero-padded to at least `width` digits.
    public static func appendDigits(_ value: Int, width: Int = 1, to out: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var remaining = value.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(truncatingIfNeeded: 0x30 + remaining % 10)
                remaining /= 10
                count += 1
            } while remaining > 0 && count < 20
            if value < 0 { out.append(UInt8(ascii: "-")) }
            for _ in count..<max(count, width) { out.append(0x30) }
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }
}
