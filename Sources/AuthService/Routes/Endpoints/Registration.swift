import HTTPParser

extension AuthRoutes {
    /// `POST /users` email, password: 200 `{"email", "message": "user created"}`.
    static func register(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        let email: String
        let password: String
        do {
            (email, password) = try FormInput(request).credentials()
        } catch { return respond(error.answer) }
        let client = client(of: request)
        context.auth.register(email: email, password: password, client: client, connection: connection) { result in
            respond(
                answer(result, context) { user in json(200, [("email", user.email), ("message", "user created")]) })
        }
    }
}
