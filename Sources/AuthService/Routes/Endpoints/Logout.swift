import HTTPParser

extension AuthRoutes {
    /// `DELETE /sessions` with the cookie: 302 to `/`, the cookie cleared (the seed's). With
    /// `?scope=others` it ends the caller's other sessions, with `?scope=global` all of them
    /// (GoTrue's names): 200 `{"message": "sessions ended"}`.
    static func logout(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        let scope: LogoutScope?
        do {
            scope = try logoutScope(of: request.target)
        } catch { return respond(ErrorAnswer.make(400, "scope must be others or global")) }
        withSessionID(request, respond: respond) { sessionID in
            if let scope {
                return context.auth.endSessions(scope, forSession: sessionID, client: client(of: request)) { result in
                    respond(
                        answer(result, context) { _ in
                            var response = json(200, [("message", "sessions ended")])
                            if scope == .global { response.headers.append(context.cookie.clearing()) }
                            return response
                        })
                }
            }
            context.auth.logout(sessionID: sessionID, client: client(of: request)) { result in
                respond(
                    answer(result, context) { _ in
                        // 302, not 301/307/308: `requests` turns it into `GET /`, as seed clients expect.
                        var response = json(302, [("message", "logged out")])
                        response.headers.append(("Location", "/"))
                        response.headers.append(context.cookie.clearing())
                        response.headers.append(("Cache-Control", "no-store"))
                        return response
                    })
            }
        }
    }

    /// A query's refusal: the request is malformed, not merely unknown.
    struct InvalidScope: Error {}

    /// The `scope` of a `DELETE /sessions` target; nil when the query names none.
    static func logoutScope(of target: String) throws(InvalidScope) -> LogoutScope? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        let query = Array(target.utf8[target.utf8.index(after: mark)...])
        guard let fields = try? FormDecoder.decode(body: query, contentType: "application/x-www-form-urlencoded") else {
            throw InvalidScope()
        }
        guard let value = fields["scope"] else { return nil }
        guard let scope = LogoutScope(rawValue: value) else { throw InvalidScope() }
        return scope
    }
}
