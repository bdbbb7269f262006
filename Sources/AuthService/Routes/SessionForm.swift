import HTTPParser

extension AuthRoutes {
    /// The preamble of a route that acts on the caller's session with a form: the `session_id`
    /// cookie (see `withSessionID`), then the form's fields as `fields` reads them (see
    /// `withForm`); `body` gets both. Otherwise the answer is sent here and `body` never runs.
    static func withSessionForm<Fields>(
        _ request: Request, respond: (Response) -> Void, fields: (FormInput) throws(FormInputError) -> Fields,
        badForm: (FormInputError) -> Response, then body: (_ sessionID: String?, Fields) -> Void
    ) {
        withSessionID(request, respond: respond) { sessionID in
            withForm(request, respond: respond, fields: fields, badForm: badForm) { body(sessionID, $0) }
        }
    }

    /// The session id the request's cookie carries (nil: none) handed to `body`; a request with two
    /// different ones is answered 400 here, on the API and the portal alike: whoever can toss a
    /// cookie could otherwise choose whose session the route acts on.
    static func withSessionID(_ request: Request, respond: (Response) -> Void, then body: (String?) -> Void) {
        let sessionID: String?
        do {
            sessionID = try SessionCookie.sessionID(in: request)
        } catch {
            return respond(SessionCookie.ambiguousAnswer)
        }
        body(sessionID)
    }

    /// The request's form read by `fields` and handed to `body`; a body that cannot be read or a
    /// field `fields` refuses is answered with `badForm`: the API's JSON error (`$0.answer`) or the
    /// portal's page with the form again. (Closures that are not kept: nothing allocated for them.)
    static func withForm<Fields>(
        _ request: Request, respond: (Response) -> Void, fields: (FormInput) throws(FormInputError) -> Fields,
        badForm: (FormInputError) -> Response, then body: (Fields) -> Void
    ) {
        let read: Fields
        do {
            read = try fields(FormInput(request))
        } catch {
            return respond(badForm(error))
        }
        body(read)
    }
}
