import HTTPParser

extension AuthRoutes {
    /// `PUT /reset_password` email, reset_token, new_password: 200 `{"email", "message": "Password updated"}`.
    static func updatePassword(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        let email: String
        let token: String
        let newPassword: String
        do {
            let form = try FormInput(request)
            email = try form.required("email")
            // An absent token is the seed's account-takeover hole (`IS NULL`): it is a 403 here.
            guard let given = form.optional("reset_token") else {
                return respond(ErrorAnswer.make(.invalidResetToken))
            }
            token = given
            newPassword = try form.password("new_password")
        } catch { return respond(error.answer) }
        let client = client(of: request)
        context.auth.updatePassword(
            email: email, resetToken: token, newPassword: newPassword, client: client, connection: connection
        ) { result in
            respond(
                answer(result, context) { user in json(200, [("email", user.email), ("message", "Password updated")]) })
        }
    }
}
