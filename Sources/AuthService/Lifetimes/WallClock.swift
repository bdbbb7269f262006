#if canImport(Glibc)
    import Glibc
#endif

/// Unix time in milliseconds (CLOCK_REALTIME): creation times are stored in the database and must
/// mean the same after a restart, which a monotonic clock does not.
public enum WallClock {
    /// Now, in milliseconds since 1970.
    public static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
