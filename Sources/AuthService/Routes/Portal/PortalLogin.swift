import HTTPParser

extension AuthRoutes {
    /// `GET /login?rd=…`: the login form, carrying `rd` (checked only when it is used).
    static func loginPage(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        respond(PortalAnswer.page(200, PortalPage.login(rd: queryField("rd", of: request))))
    }

    /// `POST /login` email, password, rd: the JSON login's domain operation; on success the
    /// session cookie and a 303 to `rd` when the redirect rule allows it, else to the account page.
    /// A failure shows the form again with the reason.
    static func loginForm(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        withForm(request, respond: respond) { form throws(FormInputError) in
            (try form.credentials(), form.optional("rd"))
        } badForm: {
            PortalAnswer.badForm($0) { PortalPage.login(rd: nil, $0) }
        } then: { credentials, rd in
            let (email, password) = credentials
            // The session keeps the browser's name, as the JSON login's does: the account page lists it.
            let userAgent = request.headers.first("User-Agent") ?? ""
            context.auth.login(
                email: email, password: password, client: client(of: request), userAgent: userAgent,
                connection: connection
            ) { result in
                switch result {
                case .success(let session) where session.secondFactorRequired:
                    // The code step next, `rd` travelling on to it.
                    var codeStep = context.gate.link(PortalPath.loginCode)
                    if let rd { codeStep += "?rd=" + PercentEncoding.encoded(rd) }
                    respond(PortalAnswer.redirect(to: codeStep, cookie: context.cookie.setting(session.sessionID)))
                case .success(let session):
                    let target = rd.flatMap(context.redirects.target) ?? context.gate.link(PortalPath.account)
                    respond(PortalAnswer.redirect(to: target, cookie: context.cookie.setting(session.sessionID)))
                case .failure(let error):
                    respond(PortalAnswer.failure(error, context) { PortalPage.login(email: email, rd: rd, $0) })
                }
            }
        }
    }

    /// The first value of `name` in the request's query; nil when absent, empty or unreadable.
    static func queryField(_ name: String, of request: Request) -> String? {
        guard let query = request.query, let fields = try? FormDecoder.decode(query: query) else { return nil }
        return fields[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}
