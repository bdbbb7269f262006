import HTTPParser

extension AuthRoutes {
    /// `GET /login/2fa?rd=…`: the code step of a login whose session waits for the second factor
    /// (the login form and the gate send such a session here).
    static func loginCodePage(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        respond(PortalAnswer.page(200, PortalPage.loginCode(rd: queryField("rd", of: request))))
    }

    /// `POST /login/2fa` code or recovery_code, rd: the JSON raise's domain operation; on success
    /// the cookie with the session's new id and a 303 to `rd` when the redirect rule allows it,
    /// else to the account page. A failure shows the form again with the reason; without a
    /// session, the login page.
    static func loginCodeForm(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        withSessionForm(request, respond: respond) {
            $0
        } badForm: {
            PortalAnswer.badForm($0) { PortalPage.loginCode(rd: nil, $0) }
        } then: { sessionID, form in
            let rd = form.optional("rd")
            let code = form.optional("code")
            let recoveryCode = form.optional("recovery_code")
            guard code != nil || recoveryCode != nil else {
                return respond(
                    PortalAnswer.page(
                        400, PortalPage.loginCode(rd: rd, .error("Type the code of your app, or a recovery code."))))
            }
            let target = rd.flatMap(context.redirects.target) ?? context.gate.link(PortalPath.account)
            context.auth.raiseSession(
                sessionID: sessionID, code: code, recoveryCode: recoveryCode, client: client(of: request)
            ) { result in
                switch result {
                case .success(let raised):
                    respond(PortalAnswer.redirect(to: target, cookie: context.cookie.setting(raised.sessionID)))
                case .failure(.secondFactorNotPending):
                    respond(PortalAnswer.redirect(to: target))
                case .failure(.unknownSession), .failure(.sessionExpired):
                    respond(PortalAnswer.redirect(to: context.gate.link(PortalPath.login)))
                case .failure(let error):
                    respond(PortalAnswer.failure(error, context) { PortalPage.loginCode(rd: rd, $0) })
                }
            }
        }
    }

    /// `POST /account/2fa` password: a new TOTP secret, shown as a QR code and as text, and the form
    /// that confirms it with a first code.
    static func accountTOTPForm(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        withSessionForm(request, respond: respond) { form throws(FormInputError) in
            try form.password("password")
        } badForm: {
            PortalAnswer.badForm($0) { PortalPage.secondFactorFailure($0) }
        } then: { sessionID, password in
            context.auth.beginTOTPEnrolment(
                sessionID: sessionID, password: password, client: client(of: request), connection: connection
            ) { result in
                switch result {
                case .success(let enrolment):
                    respond(PortalAnswer.page(200, PortalPage.totpEnrolment(enrolment)))
                case .failure(let error):
                    respond(secondFactorFormFailure(error, context))
                }
            }
        }
    }

    /// `POST /account/2fa/confirm` code: turns TOTP on and shows the recovery codes, this once.
    static func accountTOTPConfirmForm(
        _ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void
    ) {
        withSessionForm(request, respond: respond) { form throws(FormInputError) in
            try form.required("code")
        } badForm: {
            PortalAnswer.badForm($0) { PortalPage.totpEnrolment(nil, $0) }
        } then: { sessionID, code in
            context.auth.confirmTOTPEnrolment(sessionID: sessionID, code: code, client: client(of: request)) { result in
                switch result {
                case .success(let codes):
                    respond(PortalAnswer.page(200, PortalPage.recoveryCodes(codes)))
                case .failure(.invalidSecondFactor):
                    respond(PortalAnswer.failure(.invalidSecondFactor, context) { PortalPage.totpEnrolment(nil, $0) })
                case .failure(let error):
                    respond(secondFactorFormFailure(error, context))
                }
            }
        }
    }

    /// `POST /account/2fa/disable` password: turns TOTP off, then back to the account page.
    static func accountTOTPDisableForm(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        withSessionForm(request, respond: respond) { form throws(FormInputError) in
            try form.password("password")
        } badForm: {
            PortalAnswer.badForm($0) { PortalPage.secondFactorFailure($0) }
        } then: { sessionID, password in
            context.auth.disableTOTP(
                sessionID: sessionID, password: password, code: nil, recoveryCode: nil, client: client(of: request),
                connection: connection
            ) { result in
                switch result {
                case .success: respond(PortalAnswer.redirect(to: context.gate.link(PortalPath.account)))
                case .failure(let error): respond(secondFactorFormFailure(error, context))
                }
            }
        }
    }

    /// A second-factor form's failure: without a session, the login page; a session that waits
    /// for its code, the code step; else the reason, with a way back to the account.
    private static func secondFactorFormFailure(_ error: AuthError, _ context: Context) -> Response {
        switch error {
        case .unknownSession, .sessionExpired: PortalAnswer.redirect(to: context.gate.link(PortalPath.login))
        case .secondFactorRequired: PortalAnswer.redirect(to: context.gate.link(PortalPath.loginCode))
        default: PortalAnswer.failure(error, context) { PortalPage.secondFactorFailure($0) }
        }
    }
}
