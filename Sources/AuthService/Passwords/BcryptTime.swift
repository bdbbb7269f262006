#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Counts bcrypt runs and their total time, for metrics. Thread-safe (hash threads add, anyone reads).
final class BcryptTime: Sendable {
    /// Runs finished.
    let runs = Atomic<Int>(0)
    /// Their summed duration in nanoseconds.
    let nanoseconds = Atomic<Int>(0)

    /// Runs `body`, adding its duration to the totals.
    func measure<T>(_ body: () throws -> T) rethrows -> T {
        let start = Self.now()
        defer {
            nanoseconds.add(Self.now() - start, ordering: .relaxed)
            runs.add(1, ordering: .relaxed)
        }
        return try body()
    }

    private static func now() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1_000_000_000 + now.tv_nsec
    }
}
