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
        let time = UTCTime(seconds: Int64(seconds))
        var out: [UInt8] = []
        out.reserveCapacity(29)
        out.append(contentsOf: days[time.weekday].utf8)
        out.append(contentsOf: ", ".utf8)
        DecimalWriter.append(time.day, width: 2, to: &out)
        out.append(0x20)
        out.append(contentsOf: months[time.month - 1].utf8)
        out.append(0x20)
        DecimalWriter.append(time.year, width: 4, to: &out)
        out.append(0x20)
        DecimalWriter.append(time.hour, width: 2, to: &out)
        out.append(0x3A)
        DecimalWriter.append(time.minute, width: 2, to: &out)
        out.append(0x3A)
        DecimalWriter.append(time.second, width: 2, to: &out)
        out.append(contentsOf: " GMT".utf8)
        return out
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
