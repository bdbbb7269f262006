import HTTPParser

/// Builds the JSON `{"message": ...}` answers every failure carries.
enum ErrorAnswer {
    static func make(_ status: Int, _ message: String, retryAfter seconds: Int? = nil) -> Response {
        var answer = Response.jsonMessage(status: status, message)
        if let seconds { answer.headers.append(("Retry-After", String(seconds))) }
        return answer
    }

    /// The status and message the API gives each Auth failure.
    static func make(_ error: AuthError) -> Response {
        switch error {
        case .emailAlreadyRegistered: make(400, "email already registered")
        case .invalidCredentials: make(401, "wrong email or password")
        case .unknownSession, .sessionExpired: make(403, "no valid session")
        case .unknownSessionHandle: make(404, "no such session")
        case .unknownEmail: make(403, "email not registered")
        case .invalidResetToken, .resetTokenExpired: make(403, "invalid reset token")
        case let .invalidEmail(why): make(400, message(why))
        case .passwordTooLong:
            // Said in full: a 64-kanji password is 192 bytes, and "72" alone reads as characters.
            make(
                400,
                "password longer than 72 bytes: bcrypt's limit counts UTF-8 bytes, not characters (an accented letter takes 2, a kanji 3)"
            )
        case let .passwordTooShort(minimum): make(400, "password shorter than \(minimum) characters")
        case let .throttled(seconds): make(429, "too many attempts; retry later", retryAfter: seconds)
        case .overloaded: make(503, "too many password operations waiting; retry shortly", retryAfter: 1)
        case .storageBusy: make(503, "database busy; retry shortly", retryAfter: 1)
        case .storageUnavailable(.lost): make(503, "storage unavailable; retry later", retryAfter: 60)
        case .storageUnavailable: make(503, "storage unavailable; retry shortly", retryAfter: 5)
        case .internalFailure: make(500, "internal error")
        }
    }

    /// Why the email field cannot be an address, for the client.
    private static func message(_ why: EmailAddress.Invalid) -> String {
        switch why {
        case .tooLong: "email longer than \(EmailAddress.maximumBytes) bytes"
        case .atSignCount: "email must contain exactly one @"
        case .emptyLocalPart: "email has nothing before the @"
        case .emptyDomain: "email has nothing after the @"
        case .whiteSpace: "email must not contain white space"
        case .controlCharacter: "email must not contain control or invisible formatting characters"
        }
    }
}
