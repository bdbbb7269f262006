import HTTPParser

extension AuthRoutes {
    /// `POST /2fa/totp` with the cookie, form `password`: 200 `{"qr", "secret", "uri"}`, a new
    /// secret pending until `PUT /2fa/totp` confirms it.
    static func beginTOTP(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        withSessionForm(request, respond: respond) { form throws(FormInputError) in
            try form.password("password")
        } badForm: {
            $0.answer
        } then: { sessionID, password in
            context.auth.beginTOTPEnrolment(
                sessionID: sessionID, password: password, client: client(of: request), connection: connection
            ) { result in
                respond(
                    answer(result, context) { enrolment in
                        // The secret itself: no cache may keep it.
                        Response(
                            status: 200, headers: noStore,
                            body: JSONWriter.object([
                                ("qr", enrolment.qrCode ?? ""), ("secret", enrolment.secret), ("uri", enrolment.uri),
                            ]))
                    })
            }
        }
    }

    /// `PUT /2fa/totp` with the cookie, form `code`: 200 `{"recovery_codes": [10 codes]}`, the only
    /// time they are shown; the pending secret is enabled.
    static func confirmTOTP(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        withSessionForm(request, respond: respond) { form throws(FormInputError) in
            try form.required("code")
        } badForm: {
            $0.answer
        } then: { sessionID, code in
            context.auth.confirmTOTPEnrolment(sessionID: sessionID, code: code, client: client(of: request)) { result in
                respond(
                    answer(result, context) { codes in
                        Response(status: 200, headers: noStore, body: recoveryCodesJSON(codes))
                    })
            }
        }
    }

    /// `DELETE /2fa/totp` with the cookie of a session that gave the second factor, form
    /// `password`, or else `code` or `recovery_code`: 200 `{"message": "second factor disabled"}`.
    static func disableTOTP(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        withSessionForm(request, respond: respond) {
            $0
        } badForm: {
            $0.answer
        } then: { sessionID, form in
            let password = form.optional("password")
            let code = form.optional("code")
            let recoveryCode = form.optional("recovery_code")
            guard password != nil || code != nil || recoveryCode != nil else {
                return respond(ErrorAnswer.make(400, "missing field: password, code or recovery_code"))
            }
            context.auth.disableTOTP(
                sessionID: sessionID, password: password, code: code, recoveryCode: recoveryCode,
                client: client(of: request), connection: connection
            ) { result in
                respond(
                    answer(result, context) { _ in
                        Response(
                            status: 200, headers: noStore, body: JSONWriter.object("message", "second factor disabled"))
                    })
            }
        }
    }

    /// `{"recovery_codes":["…",…]}` plus a newline.
    static func recoveryCodesJSON(_ codes: [String]) -> [UInt8] {
        var out = Array(#"{"recovery_codes":["#.utf8)
        for (index, code) in codes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(code, to: &out)
        }
        out.append(contentsOf: "]}\n".utf8)
        return out
    }
}
