/// Why an Auth operation failed. The domain's meaning only: `Routes/` maps each case to an answer.
public enum AuthError: Error, Sendable, Equatable {
    /// Another user has this email.
    case emailAlreadyRegistered
    /// Unknown email or wrong password.
    case invalidCredentials
    /// Missing, empty or unknown session id.
    case unknownSession
    /// The session id is past its lifetime (it has been cleared); to the client, like an unknown one.
    case sessionExpired
    /// The user has no session with this handle (another user's answers the same).
    case unknownSessionHandle
    /// A reset token was asked for an unregistered email.
    case unknownEmail
    /// Missing, empty or unknown reset token, or the email is not its owner's.
    case invalidResetToken
    /// The reset token is past its lifetime (it has been cleared); to the client, like an unknown one.
    case resetTokenExpired
    /// The email cannot be an address (see `EmailAddress`); nothing was looked up.
    case invalidEmail(EmailAddress.Invalid)
    /// The password is over bcrypt's 72 bytes.
    case passwordTooLong
    /// A new password is shorter than the configured minimum, in characters.
    case passwordTooShort(minimum: Int)
    /// A brute-force limit refused the attempt; try again after that many seconds.
    case throttled(retryAfterSeconds: Int)
    /// The hash queue (or the client's share of it) is full, the client hung up before its password
    /// job started, or Auth is shutting down; nothing was done.
    case overloaded
    /// The database stayed locked past the busy timeout; nothing was done.
    case storageBusy
    /// The storage is full, read-only, lost or failing; nothing was done.
    case storageUnavailable(StoreHealth)
    /// A real internal fault, with its cause for the log.
    case internalFailure(String)
    /// No `--secret-key-file` is given (or it does not open the user's secret): no second factor
    /// can be enrolled or checked.
    case secondFactorUnavailable
    /// The user's TOTP is on already; it must be turned off before a new enrolment.
    case secondFactorAlreadyEnabled
    /// There is no pending enrolment to confirm.
    case noPendingSecondFactor
    /// The TOTP code or recovery code is wrong, was used already, or the user has no second factor.
    case invalidSecondFactor
    /// The session is valid but not enough: its holder has a second factor still to give (or, to
    /// turn it off, must have given it).
    case secondFactorRequired
    /// The session asks to be raised with a second factor it does not wait for.
    case secondFactorNotPending
}

extension AuthError {
    /// A short name for logs (the audit record's `reason`).
    public var reason: String {
        switch self {
        case .emailAlreadyRegistered: "email_already_registered"
        case .invalidCredentials: "invalid_credentials"
        case .unknownSession: "unknown_session"
        case .sessionExpired: "session_expired"
        case .unknownSessionHandle: "unknown_session_handle"
        case .unknownEmail: "unknown_email"
        case .invalidResetToken: "invalid_reset_token"
        case .resetTokenExpired: "reset_token_expired"
        case .invalidEmail: "invalid_email"
        case .passwordTooLong: "password_too_long"
        case .passwordTooShort: "password_too_short"
        case .throttled: "throttled"
        case .overloaded: "overloaded"
        case .storageBusy: "storage_busy"
        case let .storageUnavailable(health): health.name
        case .internalFailure: "internal_failure"
        case .secondFactorUnavailable: "second_factor_unavailable"
        case .secondFactorAlreadyEnabled: "second_factor_already_enabled"
        case .noPendingSecondFactor: "no_pending_second_factor"
        case .invalidSecondFactor: "invalid_second_factor"
        case .secondFactorRequired: "second_factor_required"
        case .secondFactorNotPending: "second_factor_not_pending"
        }
    }

    /// The Auth meaning of a store failure.
    init(_ error: StoreError) {
        switch error {
        case .busy: self = .storageBusy
        case .closed: self = .overloaded
        case .duplicateEmail: self = .emailAlreadyRegistered
        case .full, .readOnly, .lost, .unavailable: self = .storageUnavailable(StoreHealth(error) ?? .unavailable)
        case .cannotOpen, .failure: self = .internalFailure(error.description)
        }
    }
}
