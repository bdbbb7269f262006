/// Brute-force limits (README "Brute force"); every limit 0 turns its throttle off.
public struct ThrottleSettings: Sendable {
    /// Failed logins per email within the window before 429.
    public var emailFailureLimit = 5
    /// Failed logins per client address within the window before 429 (many users behind one NAT).
    public var addressFailureLimit = 50
    /// `POST /users` and `POST /reset_password` per client address within the window before 429.
    public var addressRequestLimit = 100
    /// The window the limits count in.
    public var window = Lifetime(seconds: 15 * 60)
    /// The first block; each further strike doubles it, up to the window.
    public var backoff = Lifetime(seconds: 30)
    /// Keys each throttle remembers before evicting.
    public var capacity = 65_536

    /// The documented defaults.
    public init() {}
}
