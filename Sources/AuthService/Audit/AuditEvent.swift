/// The security events authd records (`"audit":"<raw value>"` in the log).
public enum AuditEvent: String, Sendable {
    case registered
    case loginSucceeded = "login_succeeded"
    case loginFailed = "login_failed"
    /// The first refusal of a block (one line per key and block, not one per refused request).
    case throttled
    /// A block is over; its line counts the attempts it refused.
    case throttleEnded = "throttle_ended"
    case loggedOut = "logged_out"
    case resetTokenIssued = "reset_token_issued"
    case resetTokenExpired = "reset_token_expired"
    case passwordChanged = "password_changed"
    case sessionExpired = "session_expired"
    /// A login started a session (`session`: its handle).
    case sessionStarted = "session_started"
    /// A session ended (`session`: its handle; `reason`: a `SessionEnd`).
    case sessionEnded = "session_ended"
    /// The relay accepted a reset mail (`count`: the attempts it took).
    case resetMailSent = "reset_mail_sent"
    /// A reset mail was dropped unsent: refused by the relay (5xx), unsendable, or its token expired
    /// while the relay could not take it (`reason`; `count`: the attempts made).
    case resetMailFailed = "reset_mail_failed"
    /// A user turned TOTP on (the enrolment's first code was right).
    case secondFactorEnabled = "2fa_enabled"
    /// A user turned TOTP off (with a second-factor session and the password or a code).
    case secondFactorDisabled = "2fa_disabled"
    /// A wrong, reused or absent second factor (`reason`).
    case secondFactorFailed = "2fa_failed"
    /// A recovery code stood in for the TOTP code, and is used up.
    case recoveryCodeUsed = "recovery_code_used"
    /// An operator removed a user's second factor (`authd users reset-2fa`).
    case secondFactorResetByAdmin = "2fa_reset_by_admin"
}
