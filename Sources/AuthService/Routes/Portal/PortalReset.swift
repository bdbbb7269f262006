import HTTPParser

extension AuthRoutes {
    /// `GET /reset`: the form that asks for a reset mail; without mail delivery, a page that says
    /// resets need it (the seed's way would show the token to whoever asks).
    static func resetPage(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        respond(PortalAnswer.page(200, PortalPage.reset(byMail: context.auth.sendsResetsByMail)))
    }

    /// `POST /reset` email: the JSON reset request's domain operation, by mail only; the same
    /// notice for a registered and an unknown email.
    static func resetForm(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        let byMail = context.auth.sendsResetsByMail
        withForm(request, respond: respond) { form throws(FormInputError) in
            try form.required("email")
        } badForm: {
            PortalAnswer.badForm($0) { PortalPage.reset(byMail: byMail, $0) }
        } then: { email in
            guard byMail else { return respond(PortalAnswer.page(200, PortalPage.reset(byMail: false))) }
            context.auth.requestPasswordReset(email: email, client: client(of: request)) { result in
                switch result {
                case .success:
                    let notice = PortalPage.Message.notice(
                        "If that address has an account, a reset mail is on its way.")
                    respond(PortalAnswer.page(200, PortalPage.reset(byMail: true, email: email, notice)))
                case .failure(let error):
                    respond(PortalAnswer.failure(error, context) { PortalPage.reset(byMail: true, email: email, $0) })
                }
            }
        }
    }

    /// `GET /reset/confirm?token=…&email=…` (the page `--reset-link` points to): the new-password form.
    static func resetConfirmPage(
        _ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void
    ) {
        let token = queryField("token", of: request) ?? ""
        let email = queryField("email", of: request) ?? ""
        respond(PortalAnswer.page(200, PortalPage.resetConfirm(email: email, token: token)))
    }

    /// `POST /reset/confirm` email, reset_token, new_password: the JSON password update's domain
    /// operation; on success the login form with a notice.
    static func resetConfirmForm(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        withForm(request, respond: respond) { form throws(FormInputError) in
            // An absent token is refused by the domain as an unknown one: never `IS NULL`.
            (try form.required("email"), try form.password("new_password"), form.optional("reset_token"))
        } badForm: {
            PortalAnswer.badForm($0) { PortalPage.resetConfirm(email: "", token: "", $0) }
        } then: { email, newPassword, token in
            context.auth.updatePassword(
                email: email, resetToken: token, newPassword: newPassword, client: client(of: request),
                connection: connection
            ) { result in
                switch result {
                case .success(let user):
                    respond(
                        PortalAnswer.page(
                            200, PortalPage.login(email: user.email, rd: nil, .notice("Password changed: log in."))))
                case .failure(let error):
                    respond(
                        PortalAnswer.failure(error, context) {
                            PortalPage.resetConfirm(email: email, token: token ?? "", $0)
                        })
                }
            }
        }
    }
}
