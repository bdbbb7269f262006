import HTTPParser

extension AuthRoutes {
    /// `DELETE /sessions` with the cookie: 302 to `/`, the cookie cleared.
    static func logout(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        let sessionID: String?
        do {
            sessionID = try SessionCookie.sessionID(in: request)
        } catch {
            return respond(SessionCookie.ambiguousAnswer)
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
