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
        DecimalWriter.append(Int(milliseconds % 1000), width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    private static func formatSeconds(_ seconds: Int64) -> [UInt8] {
        let time = UTCTime(seconds: seconds)
        var out: [UInt8] = []
        out.reserveCapacity(19)
        DecimalWriter.append(time.year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        DecimalWriter.append(time.month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        DecimalWriter.append(time.day, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        DecimalWriter.append(time.hour, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        DecimalWriter.append(time.minute, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        DecimalWriter.append(time.second, width: 2, to: &out)
        return out
    }
}
