import HTTPParser

/// Builds the JSON `{"message": ...}` answers every failure carries.
enum ErrorAnswer {
    static func make(_ status: Int, _ message: String, retryAfter seconds: Int? = nil) -> Response {
        var answer = Response.jsonMessage(status: status, message)
        if let seconds { answer.headers.append(("Retry-After", String(seconds))) }
        return answer
    }

    /// The JSON answer the API gives each Auth failure.
    static func make(_ error: AuthError) -> Response {
        let (status, message, retryAfter) = parts(error)
        return make(status, message, retryAfter: retryAfter)
    }

    /// The status, message and wait the API and the portal's pages give each Auth failure.
    static func parts(_ error: AuthError) -> (status: Int, message: String, retryAfter: Int?) {
        switch error {
        case .emailAlreadyRegistered: (400, "email already registered", nil)
        case .invalidCredentials: (401, "wrong email or password", nil)
        case .unknownSession, .sessionExpired: (403, "no valid session", nil)
        case .unknownSessionHandle: (404, "no such session", nil)
        case .unknownEmail: (403, "email not registered", nil)
        case .invalidResetToken, .resetTokenExpired: (403, "invalid reset token", nil)
        case let .invalidEmail(why): (400, message(why), nil)
        case .passwordTooLong:
            // Said in full: a 64-kanji password is 192 bytes, and "72" alone reads as characters.
            (
                400,
                "password longer than 72 bytes: bcrypt's limit counts UTF-8 bytes, not characters (an accented letter takes 2, a kanji 3)",
                nil
            )
        case let .passwordTooShort(minimum): (400, "password shorter than \(minimum) characters", nil)
        case let .throttled(seconds): (429, "too many attempts; retry later", seconds)
        case .overloaded: (503, "too many password operations waiting; retry shortly", 1)
        case .storageBusy: (503, "database busy; retry shortly", 1)
        case .storageUnavailable(.lost): (503, "storage unavailable; retry later", 60)
        case .storageUnavailable: (503, "storage unavailable; retry shortly", 5)
        case .internalFailure: (500, "internal error", nil)
        case .secondFactorUnavailable: (501, "second factor not offered: the server has no key for it", nil)
        case .secondFactorAlreadyEnabled: (409, "second factor already enabled", nil)
        case .noPendingSecondFactor: (409, "no second factor enrolment to confirm", nil)
        case .invalidSecondFactor: (401, "wrong code", nil)
        case .secondFactorRequired: (403, "second factor required", nil)
        case .secondFactorNotPending: (409, "this session waits for no second factor", nil)
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
