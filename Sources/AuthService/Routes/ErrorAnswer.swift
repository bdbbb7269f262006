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
        case .unknownSession: make(403, "no valid session")
        case .unknownEmail: make(403, "email not registered")
        case .invalidResetToken: make(403, "invalid reset token")
        case .passwordTooLong: make(400, "password longer than 72 bytes")
        case .overloaded: overloaded("too many password operations waiting; retry shortly")
        case .storageBusy: overloaded("database busy; retry shortly")
        case .internalFailure: make(500, "internal error")
        }
    }

    private static func overloaded(_ message: String) -> Response {
        var answer = make(503, message)
        answer.headers.append(("Retry-After", "1"))
        return answer
    }
}
