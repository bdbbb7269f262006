import HTTPParser

extension AuthRoutes {
    /// `POST /sessions/2fa` with the cookie of a session waiting for its second factor, form `code`
    /// or `recovery_code`: 200 `{"email", "message": "second factor accepted"}` and the cookie
    /// with the session's new id.
    static func raiseSession(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        withSessionForm(request, respond: respond) {
            $0
        } badForm: {
            $0.answer
        } then: { sessionID, form in
            let code = form.optional("code")
            let recoveryCode = form.optional("recovery_code")
            guard code != nil || recoveryCode != nil else {
                return respond(ErrorAnswer.make(400, "missing field: code or recovery_code"))
            }
            context.auth.raiseSession(
                sessionID: sessionID, code: code, recoveryCode: recoveryCode, client: client(of: request)
            ) { result in
                respond(
                    answer(result, context) { raised in
                        var response = json(200, [("email", raised.email), ("message", "second factor accepted")])
                        response.headers.append(context.cookie.setting(raised.sessionID))
                        response.headers.append(("Cache-Control", "no-store"))
                        return response
                    })
            }
        }
    }
}
