import HTTPParser

extension AuthRoutes {
    /// `POST /reset_password` email: 200 `{"email", "reset_token"}` (the seed's behaviour), or with
    /// delivery by mail 200 `{"email", "message": "reset instructions sent"}` for every well-formed
    /// email, registered or not.
    static func requestResetToken(
        _ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void
    ) {
        let email: String
        do {
            email = try FormInput(request).required("email")
        } catch { return respond(error.answer) }
        context.auth.requestPasswordReset(email: email, client: client(of: request)) { result in
            respond(
                answer(result, context) { outcome in
                    switch outcome {
                    case let .token(user, token):
                        var response = json(200, [("email", user.email), ("reset_token", token)])
                        response.headers = noStore
                        return response
                    case let .mailed(email):
                        // The same headers as the seed's answer, so nothing but the body differs by mode.
                        var response = json(200, [("email", email), ("message", "reset instructions sent")])
                        response.headers = noStore
                        return response
                    }
                })
        }
    }
}
