import Synchronization

/// Login and throttling totals since start, for metrics. Thread-safe: completions add from store
/// and hash threads, the metrics page reads from the loop thread.
final class AuthCounters: Sendable {
    /// Logins refused for an unknown email or a wrong password.
    let loginsFailed = Atomic<Int>(0)
    /// Logins refused by a throttle.
    let loginsThrottled = Atomic<Int>(0)
    /// Registrations and reset-token requests refused by a throttle.
    let requestsThrottled = Atomic<Int>(0)
}
