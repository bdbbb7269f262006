import Synchronization

/// Login and throttling totals since start, for metrics. Thread-safe: Auth's completions add from
/// store and hash threads, the metrics page reads from the loop thread.
public final class RouteCounters: Sendable {
    /// Logins answered 401 (unknown email or wrong password).
    public let loginsFailed = Atomic<Int>(0)
    /// Logins answered 429.
    public let loginsThrottled = Atomic<Int>(0)
    /// Registrations and reset-token requests answered 429.
    public let requestsThrottled = Atomic<Int>(0)

    /// All zero.
    public init() {}
}
