/// Brute-force limits (docs/security.md, "Brute force"); every limit 0 turns its throttle off. The one home of
/// their defaults and rules, like `AuthConfiguration`, which holds them and validates them with its own.
public struct ThrottleSettings: Sendable {
    /// Failed logins per pair of email and client within the window before 429 (blocks, with backoff).
    public var emailFailureLimit = 5
    /// Failed logins per account, from any client, within `accountWindow` before the account is
    /// slowed: clients that have not logged in to it lately get one attempt per `accountWindow /
    /// accountFailureLimit` (ASVS 2.2.1: at most 100 failed attempts an hour on one account).
    public var accountFailureLimit = 100
    /// The window the account limit counts in.
    public var accountWindow = Lifetime(seconds: 3600)
    /// Failed logins per client address within the window before 429 (many users behind one NAT).
    public var addressFailureLimit = 50
    /// `POST /users` and `POST /reset_password` per client address within the window before 429.
    public var addressRequestLimit = 100
    /// The window the limits count in; longer than 0.
    public var window = Lifetime(seconds: 15 * 60)
    /// The first block; each further strike doubles it, up to the window; longer than 0.
    public var backoff = Lifetime(seconds: 30)
    /// Keys each throttle table remembers at most (about 400 bytes each at the longest email); at least 1.
    public var capacity = 65_536
    /// How long a successful login marks its pair of account and client as the owner's, whom a
    /// slowed account still lets in.
    public var ownerMemory = Lifetime(seconds: 30 * 86_400)

    /// The documented defaults.
    public init() {}

    /// Throws the first setting that breaks its rule, naming it and its value.
    public func validate() throws(AuthStartupError) {
        guard emailFailureLimit >= 0 else { throw .emailFailureLimitOutOfRange(emailFailureLimit) }
        guard addressFailureLimit >= 0 else { throw .addressFailureLimitOutOfRange(addressFailureLimit) }
        guard addressRequestLimit >= 0 else { throw .addressRequestLimitOutOfRange(addressRequestLimit) }
        guard accountFailureLimit >= 0 else { throw .accountFailureLimitOutOfRange(accountFailureLimit) }
        guard accountWindow.milliseconds > 0 else { throw .accountWindowOutOfRange(accountWindow) }
        guard window.milliseconds > 0 else { throw .throttleWindowOutOfRange(window) }
        guard backoff.milliseconds > 0 else { throw .throttleBackoffOutOfRange(backoff) }
    }
}
