import Synchronization

/// Counts bcrypt runs and their total time, for metrics. Thread-safe (hash threads add, anyone reads).
final class BcryptTime: Sendable {
    /// Runs finished.
    let runs = Atomic<Int>(0)
    /// Their summed duration in nanoseconds.
    let nanoseconds = Atomic<Int>(0)

    /// Runs `body`, adding its duration to the totals.
    func measure<T>(_ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer {
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            nanoseconds.add(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000), ordering: .relaxed)
            runs.add(1, ordering: .relaxed)
        }
        return try body()
    }
}
