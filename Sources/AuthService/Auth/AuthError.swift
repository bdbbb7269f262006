/// Why an Auth operation failed; the routes map each case to a status and a message.
public enum AuthError: Error, Sendable, Equatable {
    /// Another user has this email (400 "email already registered").
    case emailAlreadyRegistered
    /// Unknown email or wrong password (401).
    case invalidCredentials
    /// Missing, empty or unknown session id (403).
    case unknownSession
    /// The session id is past its lifetime; answered like an unknown one (403), and cleared.
    case sessionExpired(userID: Int64)
    /// A reset token was asked for an unregistered email (403).
    case unknownEmail
    /// Missing, empty or unknown reset token, or the email is not its owner's (403).
    case invalidResetToken
    /// The reset token is past its lifetime; answered like an unknown one (403), and cleared.
    case resetTokenExpired
    /// The password is over bcrypt's 72 bytes (400).
    case passwordTooLong
    /// The hash queue is full, or Auth is shutting down (503).
    case overloaded
    /// The database stayed locked past the busy timeout (503).
    case storageBusy
    /// A real internal fault (500); the routes log the string.
    case internalFailure(String)
}

extension AuthError {
    /// A short name for logs (the audit event's `reason`).
    public var reason: String {
        switch self {
        case .emailAlreadyRegistered: "email_already_registered"
        case .invalidCredentials: "invalid_credentials"
        case .unknownSession: "unknown_session"
        case .sessionExpired: "session_expired"
        case .unknownEmail: "unknown_email"
        case .invalidResetToken: "invalid_reset_token"
        case .resetTokenExpired: "reset_token_expired"
        case .passwordTooLong: "password_too_long"
        case .overloaded: "overloaded"
        case .storageBusy: "storage_busy"
        case .internalFailure: "internal_failure"
        }
    }

    /// The Auth meaning of a store failure.
    init(_ error: UserStoreError) {
        switch error {
        case .busy: self = .storageBusy
        case .duplicateEmail: self = .emailAlreadyRegistered
        default: self = .internalFailure(error.description)
        }
    }
}
