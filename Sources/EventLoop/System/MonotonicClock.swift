import Glibc

/// CLOCK_MONOTONIC, the time base of all reactor timers; callable from any thread.
public enum MonotonicClock {
    /// Milliseconds, the unit of `Reactor.schedule(after:)`.
    public static func milliseconds() -> UInt64 {
        nanoseconds() / 1_000_000
    }

    /// Nanoseconds, for measuring how long something took.
    public static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
