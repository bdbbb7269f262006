import HTTPParser

extension AuthRoutes {
    /// `GET /signup`: the sign-up form.
    static func signupPage(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        respond(PortalAnswer.page(200, PortalPage.signup()))
    }

    /// `POST /signup` email, password: the JSON registration's domain operation; on success the
    /// login form with a notice, on failure the form again with the reason (a taken email, a
    /// password the rules refuse).
    static func signupForm(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        withForm(request, respond: respond) { form throws(FormInputError) in
            try form.credentials()
        } badForm: {
            PortalAnswer.badForm($0) { PortalPage.signup($0) }
        } then: { email, password in
            context.auth.register(
                email: email, password: password, client: client(of: request), connection: connection
            ) { result in
                switch result {
                case .success(let user):
                    respond(
                        PortalAnswer.page(
                            200, PortalPage.login(email: user.email, rd: nil, .notice("Account created: log in."))))
                case .failure(let error):
                    respond(PortalAnswer.failure(error, context) { PortalPage.signup(email: email, $0) })
                }
            }
        }
    }
}
