/// One security event: who (a user id, or the email when no user is known), where from, what and
/// why. Never a password, session id or reset token: no such value is ever put in one.
public struct AuditRecord: Sendable, Equatable {
    /// What happened.
    public var event: AuditEvent
    /// When, in unix milliseconds (Auth's clock).
    public var time: Int64
    /// The user it concerns, when known.
    public var userID: Int64?
    /// The email given, when no user id names the user.
    public var email: String?
    /// The client that asked.
    public var client: ClientIdentity
    /// Why, for refusals (`invalid_credentials`, `email_failure_limit`…).
    public var reason: String?
    /// The session it concerns, by its public handle (never its id).
    public var session: SessionHandle? = nil
    /// How many attempts a `throttled` or `throttle_ended` line stands for.
    public var count: Int?
}
