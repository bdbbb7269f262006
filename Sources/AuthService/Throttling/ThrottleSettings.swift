/// Brute-force limits (README "Brute force"); every limit 0 turns its throttle off. The one home of
/// their defaults and rules, like `AuthConfiguration`, which holds them and validates them with its own.
public struct ThrottleSettings: Sendable {
    /// Failed logins per email within the window before 429.
    public var emailFailureLimit = 5
    /// Failed logins per client address within the window before 429 (many users behind one NAT).
    public var addressFailureLimit = 50
    /// `POST /users` and `POST /reset_password` per client address within the window before 429.
    public var addressRequestLimit = 100
    /// The window the limits count in; longer than 0.
    public var window = Lifetime(seconds: 15 * 60)
    /// The first block; each further strike doubles it, up to the window; longer than 0.
    public var backoff = Lifetime(seconds: 30)
    /// Keys each throttle remembers before evicting (`Throttle` keeps at least 1).
    public var capacity = 65_536

    /// The documented defaults.
    public init() {}

    /// Throws the first setting that breaks its rule, naming it and its value.
    public func validate() throws(AuthStartupError) {
        guard emailFailureLimit >= 0 else { throw .emailFailureLimitOutOfRange(emailFailureLimit) }
        guard addressFailureLimit >= 0 else { throw .addressFailureLimitOutOfRange(addressFailureLimit) }
        guard addressRequestLimit >= 0 else { throw .addressRequestLimitOutOfRange(addressRequestLimit) }
        guard window.milliseconds > 0 else { throw .throttleWindowOutOfRange(window) }
        guard backoff.milliseconds > 0 else { throw .throttleBackoffOutOfRange(backoff) }
    }
}
