import Foundation

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func waitUntil(within seconds: Double, _ condition: () -> Bool) -> Bool {
    let limit = Date().addingTimeInterval(seconds)
    while Date() < limit {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// Runs `body(0..<count)` each on its own thread (blocking sockets need real threads, not the
/// shared task pool) and returns when all finished.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
}

/// A value shared between test threads under a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func update<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&value) } }
    var current: Value { lock.withLock { value } }
}

/// Runs blocking `body` on a thread of its own, so a test that waits for seconds does not hold
/// one of the few shared task-pool threads the other tests need.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
