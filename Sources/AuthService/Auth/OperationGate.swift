/// Counts Auth operations in flight so that shutdown can refuse new ones and wait for the rest.
/// Thread-safe.
final class OperationGate: @unchecked Sendable {
    private let lock = ConditionLock()
    // Guarded by `lock`.
    private var active = 0
    private var closed = false

    /// Operations entered and not yet left.
    var count: Int { lock.withLock { active } }

    /// Counts one more operation; false once closed (the operation must not start).
    func enter() -> Bool {
        lock.withLock {
            guard !closed else { return false }
            active += 1
            return true
        }
    }

    /// Marks one entered operation finished.
    func leave() {
        lock.withLock {
            active -= 1
            if active == 0 { lock.broadcast() }
        }
    }

    /// Refuses new operations and blocks until every entered one has left.
    func closeAndWait() {
        lock.withLock {
            closed = true
            while active > 0 { lock.wait() }
        }
    }
}
