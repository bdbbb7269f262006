import HTTPParser

extension AuthRoutes {
    /// `GET /account`: the session's user and the form that logs out; without a session, a 303 to
    /// the login page, which returns here.
    static func accountPage(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        readSession(request, connection, context, respond: respond) { result in
            switch result {
            case .success(let holder):
                respond(PortalAnswer.page(200, PortalPage.account(email: holder.email)))
            case .failure(.unknownSession), .failure(.sessionExpired):
                respond(PortalAnswer.redirect(to: context.gate.link(PortalPath.login)))
            case .failure(let error):
                respond(PortalAnswer.failure(error, context) { PortalPage.page("Your account", $0) { _ in } })
            }
        }
    }

    /// `POST /logout`: the JSON logout's domain operation; the cookie cleared and a 303 to the
    /// login page, whether or not the session was still valid.
    static func logoutForm(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        let sessionID: String?
        do {
            sessionID = try SessionCookie.sessionID(in: request)
        } catch {
            return respond(SessionCookie.ambiguousAnswer)
        }
        context.auth.logout(sessionID: sessionID, client: client(of: request)) { result in
            switch result {
            case .success, .failure(.unknownSession), .failure(.sessionExpired):
                respond(
                    PortalAnswer.redirect(to: context.gate.link(PortalPath.login), cookie: context.cookie.clearing()))
            case .failure(let error):
                respond(PortalAnswer.failure(error, context) { PortalPage.page("Log out", $0) { _ in } })
            }
        }
    }
}
