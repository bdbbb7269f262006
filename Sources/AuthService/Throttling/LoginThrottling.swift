/// The brute-force policy Auth consults, apart from the operations themselves (as django-axes
/// listens to Django's login signals): failed logins per email and per client, and the request
/// budget per client for registrations and reset-token requests. Thread-safe.
final class LoginThrottling: Sendable {
    /// A refusal: the seconds to wait and the limit that refused (an audit reason).
    struct Refusal: Sendable, Equatable {
        var retryAfterSeconds: Int
        var reason: String
    }

    private let byEmail: Throttle
    private let byClient: Throttle
    private let requestsByClient: Throttle

    /// Throttles with `settings`, reading time from `clock` (unix milliseconds).
    init(_ settings: ThrottleSettings, clock: @escaping @Sendable () -> Int64) {
        func make(_ limit: Int) -> Throttle {
            Throttle(limit: limit, window: settings.window, backoff: settings.backoff, capacity: settings.capacity, clock: clock)
        }
        byEmail = make(settings.emailFailureLimit)
        byClient = make(settings.addressFailureLimit)
        requestsByClient = make(settings.addressRequestLimit)
    }

    /// Starts a login attempt; a refusal, or nil and then `loginEnded` must follow.
    func beginLogin(email: String, client: ClientIdentity) -> Refusal? {
        if let wait = byEmail.begin(email) { return Refusal(retryAfterSeconds: wait, reason: "email_failure_limit") }
        if let wait = byClient.begin(client.address) {
            byEmail.end(email, failed: false)
            return Refusal(retryAfterSeconds: wait, reason: "address_failure_limit")
        }
        return nil
    }

    /// Ends an attempt `beginLogin` let through; a success clears the email's failures.
    func endLogin(email: String, client: ClientIdentity, failed: Bool, succeeded: Bool) {
        byEmail.end(email, failed: failed)
        byClient.end(client.address, failed: failed)
        if succeeded { byEmail.reset(email) }
    }

    /// Counts one registration or reset-token request of `client`; a refusal when its budget is spent.
    func admitRequest(client: ClientIdentity) -> Refusal? {
        requestsByClient.admit(client.address).map { Refusal(retryAfterSeconds: $0, reason: "address_request_limit") }
    }
}
