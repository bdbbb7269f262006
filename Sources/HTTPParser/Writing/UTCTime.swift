#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A moment broken down in UTC (gmtime), for the formatters that spell dates: `DateCache` and
/// `TimestampFormatter`. No Foundation, no locale.
struct UTCTime {
    /// The full year, e.g. 2026.
    let year: Int
    /// 1...12.
    let month: Int
    /// 1...31.
    let day: Int
    let hour: Int
    let minute: Int
    let second: Int
    /// 0 for Sunday ... 6 for Saturday.
    let weekday: Int

    /// The UTC time of `seconds` since 1970.
    init(seconds: Int64) {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        year = Int(parts.tm_year) + 1900
        month = Int(parts.tm_mon) + 1
        day = Int(parts.tm_mday)
        hour = Int(parts.tm_hour)
        minute = Int(parts.tm_min)
        second = Int(parts.tm_sec)
        weekday = Int(parts.tm_wday)
    }
}
