import HTTPParser

extension AuthRoutes {
    /// `POST /sessions` email, password: 200 `{"email", "message": "logged in"}` and the session cookie.
    static func login(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        let email: String
        let password: String
        do {
            (email, password) = try FormInput(request).credentials()
        } catch { return respond(error.answer) }
        let client = client(of: request)
        let userAgent = request.headers.first("User-Agent") ?? ""
        context.auth.login(
            email: email, password: password, client: client, userAgent: userAgent, connection: connection
        ) { result in
            respond(
                answer(result, context) { session in
                    // A user with a second factor is told so: the session waits for it (`POST /sessions/2fa`).
                    var fields = [("email", session.user.email), ("message", "logged in")]
                    if session.secondFactorRequired { fields.append(("second_factor", "totp")) }
                    var response = json(200, fields)
                    response.headers.append(context.cookie.setting(session.sessionID))
                    response.headers.append(("Cache-Control", "no-store"))
                    return response
                })
        }
    }
}
