import HTTPParser

extension AuthRoutes {
    /// `GET /account`: the session's user, the user's sessions with a form that revokes each, the
    /// second factor's form, and the forms that log out here or everywhere; without a session, a
    /// 303 to the login page; a session that waits for its second factor, to the code step.
    static func accountPage(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        let client = client(of: request)
        // The list is asked with the cookie's id (two different ones `readSession` answers 400).
        let sessionID = try? SessionCookie.sessionID(in: request)
        readSession(request, connection, context, respond: respond) { result in
            switch result {
            case .success(let holder):
                context.auth.sessions(forSession: sessionID, client: client) { listed in
                    switch listed {
                    case .success(let sessions):
                        context.auth.secondFactorState(of: holder) { state in
                            switch state {
                            case .success(let state):
                                respond(
                                    PortalAnswer.page(
                                        200,
                                        PortalPage.account(email: holder.email, sessions: sessions, secondFactor: state)
                                    ))
                            case .failure(let error):
                                respond(accountFailure(error, context))
                            }
                        }
                    case .failure(let error):
                        respond(accountFailure(error, context))
                    }
                }
            case .failure(let error):
                respond(accountFailure(error, context))
            }
        }
    }

    /// `POST /logout`: the JSON logout's domain operation; the cookie cleared and a 303 to the
    /// login page, whether or not the session was still valid.
    static func logoutForm(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        withSessionID(request, respond: respond) { sessionID in
            context.auth.logout(sessionID: sessionID, client: client(of: request)) { result in
                respond(loggedOut(result.map { _ in () }, context))
            }
        }
    }

    /// `POST /logout/everywhere`: every session of the user ended, this one too; then as `POST /logout`.
    static func logoutEverywhereForm(
        _ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void
    ) {
        withSessionID(request, respond: respond) { sessionID in
            context.auth.endSessions(.global, forSession: sessionID, client: client(of: request)) { result in
                respond(loggedOut(result.map { _ in () }, context))
            }
        }
    }

    /// `POST /account/revoke` session=<handle>: ends that session of the user, then the account
    /// page again (a 303, so a reload does not post twice). Without a valid session, the login
    /// page whatever the form names: a malformed handle is looked at only after the session, as
    /// the domain does with a well-formed one.
    static func revokeForm(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        withSessionForm(request, respond: respond) { form throws(FormInputError) in
            SessionHandle(try form.required("session"))
        } badForm: {
            PortalAnswer.badForm($0) { PortalPage.page("Your account", $0) { _ in } }
        } then: { sessionID, handle in
            guard let handle else {
                return context.auth.user(forSession: sessionID, client: client(of: request)) { result in
                    switch result {
                    case .success: respond(accountFailure(.unknownSessionHandle, context))
                    case .failure(let error): respond(accountFailure(error, context))
                    }
                }
            }
            context.auth.endSession(handle, forSession: sessionID, client: client(of: request)) { result in
                switch result {
                case .success:
                    respond(PortalAnswer.redirect(to: context.gate.link(PortalPath.account)))
                case .failure(let error):
                    respond(accountFailure(error, context))
                }
            }
        }
    }

    /// The login page for a session that is gone, else the failure's page.
    private static func accountFailure(_ error: AuthError, _ context: Context) -> Response {
        switch error {
        case .unknownSession, .sessionExpired:
            return PortalAnswer.redirect(to: context.gate.link(PortalPath.login))
        case .secondFactorRequired:
            return PortalAnswer.redirect(to: context.gate.link(PortalPath.loginCode))
        default:
            return PortalAnswer.failure(error, context) { PortalPage.page("Your account", $0) { _ in } }
        }
    }

    /// The answer to a logout: the cookie cleared and the login page, also when the session had
    /// already ended.
    private static func loggedOut(_ result: Result<Void, AuthError>, _ context: Context) -> Response {
        switch result {
        case .success, .failure(.unknownSession), .failure(.sessionExpired):
            return PortalAnswer.redirect(to: context.gate.link(PortalPath.login), cookie: context.cookie.clearing())
        case .failure(let error):
            return PortalAnswer.failure(error, context) { PortalPage.page("Log out", $0) { _ in } }
        }
    }
}
