import HTTPParser

extension AuthRoutes {
    /// `GET /profile` with the cookie: 200 `{"email"}`.
    static func profile(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        let key: SecretKey?
        do {
            key = try SessionCookie.withSessionID(in: request) { context.auth.sessionKey($0, on: connection) }
        } catch {
            return respond(SessionCookie.ambiguousAnswer)
        }
        context.auth.user(forSessionKey: key, client: client(of: request)) { result in
            respond(
                answer(result, context) { user in
                    // Personal data: no shared cache may keep it (ASVS 8.2.1).
                    Response(status: 200, headers: noStore, body: JSONWriter.object("email", user.email))
                })
        }
    }
}
