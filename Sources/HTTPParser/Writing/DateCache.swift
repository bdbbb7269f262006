#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `Date` header value (IMF-fixdate, RFC 9110 §5.6.7), formatted at most once per second.
///
/// Not thread-safe: each reactor thread owns one and uses it only on that thread.
public final class DateCache {
    private let clock: () -> Int
    private var second = Int.min
    private var formatted: [UInt8] = []

    /// A cache reading the wall clock; `clock` returns seconds since the epoch (tests pass their own).
    public init(clock: @escaping () -> Int = { time(nil) }) {
        self.clock = clock
    }

    /// The current value, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, as bytes.
    public var bytes: [UInt8] {
        let now = clock()
        if now != second {
            second = now
            formatted = Self.format(now)
        }
        return formatted
    }

    /// Formats `seconds` since the epoch without Foundation or locale lookups.
    static func format(_ seconds: Int) -> [UInt8] {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var out: [UInt8] = []
        out.reserveCapacity(29)
        out.append(contentsOf: days[Int(parts.tm_wday)].utf8)
        out.append(contentsOf: ", ".utf8)
        appendDigits(Int(parts.tm_mday), 2, &out)
        out.append(0x20)
        out.append(contentsOf: months[Int(parts.tm_mon)].utf8)
        out.append(0x20)
        appendDigits(Int(parts.tm_year) + 1900, 4, &out)
        out.append(0x20)
        appendDigits(Int(parts.tm_hour), 2, &out)
        out.append(0x3A)
        appendDigits(Int(parts.tm_min), 2, &out)
        out.append(0x3A)
        appendDigits(Int(parts.tm_sec), 2, &out)
        out.append(contentsOf: " GMT".utf8)
        return out
    }

    private static func appendDigits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(0x30 + (value / divisor) % 10))
            divisor /= 10
        }
    }
}
