import HTTPParser

extension AuthRoutes {
    /// `POST /reset_password` email: 200 `{"email", "reset_token"}` (the seed's behaviour).
    static func requestResetToken(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        let email: String
        do {
            email = try FormInput(request).required("email")
        } catch { return respond(error.answer) }
        context.auth.resetToken(email: email, client: client(of: request)) { result in
            respond(answer(result, context) { issued in
                var response = json(200, [("email", issued.user.email), ("reset_token", issued.token)])
                response.headers.append(("Cache-Control", "no-store"))
                return response
            })
        }
    }
}
