import HTTPParser

/// Builds the JSON `{"message": ...}` answers every failure carries.
enum ErrorAnswer {
    static func make(_ status: Int, _ message: String) -> Response {
        Response(status: status, body: JSONWriter.object([("message", message)]))
    }

    /// The status and message the API gives each Auth failure.
    static func make(_ error: AuthError) -> Response {
        switch error {
        case .emailAlreadyRegistered: make(400, "email already registered")
        case .invalidCredentials: make(401, "wrong email or password")
        case .unknownSession, .sessionExpired: make(403, "no valid session")
        case .unknownEmail: make(403, "email not registered")
        case .invalidResetToken, .resetTokenExpired: make(403, "invalid reset token")
        case .passwordTooLong: make(400, "password longer than 72 bytes")
        case .overloaded: overloaded("too many password operations waiting; retry shortly")
        case .storageBusy: overloaded("database busy; retry shortly")
        case .internalFailure: make(500, "internal error")
        }
    }

    /// 429 for a throttled email or address, with the seconds to wait.
    static func tooManyAttempts(retryAfter seconds: Int) -> Response {
        var answer = make(429, "too many attempts; retry later")
        answer.headers.append(("Retry-After", String(seconds)))
        return answer
    }

    private static func overloaded(_ message: String) -> Response {
        var answer = make(503, message)
        answer.headers.append(("Retry-After", "1"))
        return answer
    }
}
