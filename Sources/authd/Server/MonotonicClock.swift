import Glibc

/// Coarse monotonic milliseconds: deadlines need ~10 ms precision, and the coarse clock is a vDSO read.
enum MonotonicClock {
    static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
