import HTTPParser

extension AuthRoutes {
    /// `GET /profile` with the cookie: 200 `{"email"}`.
    static func profile(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        readSession(request, connection, context, respond: respond) { result in
            respond(
                answer(result, context) { user in
                    // Personal data: no shared cache may keep it (ASVS 8.2.1).
                    Response(status: 200, headers: noStore, body: JSONWriter.object("email", user.email))
                })
        }
    }
}
