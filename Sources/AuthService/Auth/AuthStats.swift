/// A snapshot of Auth's queues for metrics; the fields are read one by one, not atomically together.
public struct AuthStats: Sendable, Equatable {
    /// Operations waiting for the store.
    public var storeQueueDepth: Int
    /// Hash jobs waiting for a hash thread.
    public var hashQueueDepth: Int
    /// Hash threads hashing right now.
    public var busyHashThreads: Int
    /// Hash threads in the pool.
    public var hashThreads: Int
    /// Operations started and not yet completed.
    public var operationsInFlight: Int
    /// Password jobs dropped unhashed since start: their client hung up before their turn.
    public var hashJobsAbandoned: Int
    /// bcrypt hashes and verifications finished since start.
    public var bcryptRuns: Int
    /// Their total time on the hash threads, in nanoseconds.
    public var bcryptNanoseconds: Int
    /// Logins refused for an unknown email or a wrong password.
    public var loginsFailed: Int
    /// Logins refused by a throttle.
    public var loginsThrottled: Int
    /// Registrations and reset-token requests refused by a throttle.
    public var requestsThrottled: Int
    /// Keys the throttle tables hold now (each table is bounded; see docs/security.md, "Brute force").
    public var throttleKeys: Int
    /// Reset mails in the outbox, as the delivery thread last saw it (0 without mail delivery).
    public var outboxDepth = 0
    /// Reset mails the relay accepted since start.
    public var resetMailsSent = 0
    /// Delivery attempts that failed and were scheduled again.
    public var resetMailsRetried = 0
    /// Reset mails dropped unsent: refused, unsendable, or their token expired.
    public var resetMailsGivenUp = 0
}
