import HTTPParser

extension AuthRoutes {
    /// The session the request's `session_id` cookie names, looked up for the request's client and
    /// handed to `body` (the connection's remembered key spares the hash). A request carrying two
    /// different session ids is answered 400 here and never looked up: whoever can toss a cookie
    /// could otherwise choose whose session a route reads. The one reader of the routes that only
    /// read a session: `GET /profile`, the gate's checks and the account page.
    static func readSession(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: (Response) -> Void, then body: @escaping @Sendable (Result<SessionHolder, AuthError>) -> Void
    ) {
        let key: SecretKey?
        do {
            key = try SessionCookie.withSessionID(in: request) { context.auth.sessionKey($0, on: connection) }
        } catch {
            return respond(SessionCookie.ambiguousAnswer)
        }
        context.auth.user(forSessionKey: key, client: client(of: request), completion: body)
    }
}
