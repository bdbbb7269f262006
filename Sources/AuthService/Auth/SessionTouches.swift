import Synchronization

/// The last-use writes sent lately, by session. A lookup that finds its session's stored last use a
/// step old sends one; the lookups that read the same stale value before that write commits (a
/// batch of them, on a busy session) must not each send another. Any thread.
final class SessionTouches: Sendable {
    /// Sessions remembered at most: past it those written more than a step ago are forgotten, and
    /// if that is not enough, all (a forgotten session is at worst written twice in a step).
    static let capacity = 65_536

    /// Milliseconds between two writes of one session's last use.
    let step: Int64
    /// When each session's last write was sent, unix milliseconds, by handle.
    private let sent = Mutex<[Int64: Int64]>([:])

    init(step: Int64) {
        self.step = step
    }

    /// Whether a lookup at `now` should write `handle`'s last use: not when one was sent within the
    /// step. Runs only for sessions whose stored last use is a step old, never on every request.
    func claim(_ handle: SessionHandle, now: Int64) -> Bool {
        sent.withLock { sent in
            if let last = sent[handle.rawValue], now - last < step { return false }
            if sent.count >= Self.capacity {
                sent = sent.filter { now - $0.value < step }
                if sent.count >= Self.capacity { sent.removeAll(keepingCapacity: true) }
            }
            sent[handle.rawValue] = now
            return true
        }
    }

    /// How many sessions it remembers now.
    var count: Int { sent.withLock { $0.count } }
}
