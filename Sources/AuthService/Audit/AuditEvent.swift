/// The security events authd records (`"audit":"<raw value>"` in the log).
public enum AuditEvent: String, Sendable {
    case registered
    case loginSucceeded = "login_succeeded"
    case loginFailed = "login_failed"
    case throttled
    case loggedOut = "logged_out"
    case resetTokenIssued = "reset_token_issued"
    case resetTokenExpired = "reset_token_expired"
    case passwordChanged = "password_changed"
    case sessionExpired = "session_expired"
}
