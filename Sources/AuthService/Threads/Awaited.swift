/// One value handed from a completion to the thread waiting for it.
final class Awaited<Value: Sendable>: @unchecked Sendable {
    private let lock = ConditionLock()
    // Guarded by `lock`.
    private var value: Value?

    func put(_ value: Value) {
        lock.withLock {
            self.value = value
            lock.broadcast()
        }
    }

    func take() -> Value {
        lock.withLock {
            while value == nil { lock.wait() }
            return value!
        }
    }
}
