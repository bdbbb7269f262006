import Synchronization

/// Whether the asker has gone: one per connection, set once when it closes, so that a password job
/// still waiting for a hash thread is dropped instead of spending a bcrypt run on an answer nobody
/// will read. Thread-safe: set on the connection's thread, read by the hash threads.
///
/// An object of its own, not a field of `ClientIdentity`: the identity is who asks (a value the
/// throttles and the audit log compare and keep), this is one connection's lifetime, made once per
/// connection and handed by reference to each request, so no request allocates or copies more.
public final class Abandonment: Sendable {
    // Relaxed: the flag publishes no other data; a job that starts just before it is set runs, as
    // one already running would.
    private let flag = Atomic<Bool>(false)

    /// Not abandoned yet.
    public init() {}

    /// True once `abandon()` was called.
    public var isAbandoned: Bool { flag.load(ordering: .relaxed) }

    /// Marks the asker gone (its connection closed); jobs not yet started will be dropped.
    public func abandon() {
        flag.store(true, ordering: .relaxed)
    }
}
