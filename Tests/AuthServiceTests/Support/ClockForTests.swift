import Synchronization

/// A wall clock that moves only when the test says so.
final class ClockForTests: Sendable {
    private let now = Atomic<Int64>(1_700_000_000_000)

    /// The clock function Auth calls.
    var read: @Sendable () -> Int64 { { self.now.load(ordering: .relaxed) } }

    func advance(seconds: Int64) {
        now.add(seconds * 1000, ordering: .relaxed)
    }
}
