import HTTPParser
import Logging

/// The seven routes of API.md on top of `Auth`; answers are JSON, failures `{"message": ...}`.
public final class AuthRoutes: Sendable {
    private let auth: Auth
    private let cookie: SessionCookie
    private let logger: Logger
    private let router: Router

    /// `/` is answered on the calling thread; the others answer from Auth's threads.
    public init(auth: Auth, cookie: SessionCookie = SessionCookie(), logger: Logger) {
        self.auth = auth
        self.cookie = cookie
        self.logger = logger
        var router = Router()
        let welcome = Response(status: 200, body: JSONWriter.object([("message", "Bienvenue")]))
        router.add(.get, "/") { _, respond in respond(welcome) }
        router.add(.post, "/users") { [auth, logger] request, respond in
            Self.register(request, auth: auth, logger: logger, respond: respond)
        }
        router.add(.post, "/sessions") { [auth, cookie, logger] request, respond in
            Self.login(request, auth: auth, cookie: cookie, logger: logger, respond: respond)
        }
        router.add(.delete, "/sessions") { [auth, cookie, logger] request, respond in
            Self.logout(request, auth: auth, cookie: cookie, logger: logger, respond: respond)
        }
        router.add(.get, "/profile") { [auth, logger] request, respond in
            Self.profile(request, auth: auth, logger: logger, respond: respond)
        }
        router.add(.post, "/reset_password") { [auth, logger] request, respond in
            Self.resetToken(request, auth: auth, logger: logger, respond: respond)
        }
        router.add(.put, "/reset_password") { [auth, logger] request, respond in
            Self.updatePassword(request, auth: auth, logger: logger, respond: respond)
        }
        self.router = router
    }

    /// Answers `request`; `respond` runs exactly once, on any thread.
    public func handle(_ request: Request, respond: @escaping @Sendable (Response) -> Void) {
        router.route(request, respond: respond)
    }

    // MARK: handlers

    private static func register(
        _ request: Request, auth: Auth, logger: Logger, respond: @escaping @Sendable (Response) -> Void
    ) {
        let email: String, password: String
        do {
            let form = try FormInput(request)
            email = try form.required("email")
            password = try form.password("password")
        } catch { return respond(error.answer) }
        auth.register(email: email, password: password) { result in
            respond(answer(result, logger: logger) { user in
                json(200, [("email", user.email), ("message", "user created")])
            })
        }
    }

    private static func login(
        _ request: Request, auth: Auth, cookie: SessionCookie, logger: Logger,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        let email: String, password: String
        do {
            let form = try FormInput(request)
            email = try form.required("email")
            password = try form.password("password")
        } catch { return respond(error.answer) }
        auth.login(email: email, password: password) { result in
            respond(answer(result, logger: logger) { session in
                var response = json(200, [("email", session.user.email), ("message", "logged in")])
                response.headers.append(cookie.setting(session.sessionID))
                response.headers.append(("Cache-Control", "no-store"))
                return response
            })
        }
    }

    private static func logout(
        _ request: Request, auth: Auth, cookie: SessionCookie, logger: Logger,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        auth.logout(sessionID: SessionCookie.sessionID(in: request)) { result in
            respond(answer(result, logger: logger) { _ in
                // 302, not 301/307/308: `requests` turns it into `GET /`, as seed clients expect.
                var response = json(302, [("message", "logged out")])
                response.headers.append(("Location", "/"))
                response.headers.append(cookie.clearing())
                response.headers.append(("Cache-Control", "no-store"))
                return response
            })
        }
    }

    private static func profile(
        _ request: Request, auth: Auth, logger: Logger, respond: @escaping @Sendable (Response) -> Void
    ) {
        auth.user(forSession: SessionCookie.sessionID(in: request)) { result in
            respond(answer(result, logger: logger) { user in json(200, [("email", user.email)]) })
        }
    }

    private static func resetToken(
        _ request: Request, auth: Auth, logger: Logger, respond: @escaping @Sendable (Response) -> Void
    ) {
        let email: String
        do {
            email = try FormInput(request).required("email")
        } catch { return respond(error.answer) }
        auth.resetToken(email: email) { result in
            respond(answer(result, logger: logger) { token in
                var response = json(200, [("email", email), ("reset_token", token)])
                response.headers.append(("Cache-Control", "no-store"))
                return response
            })
        }
    }

    private static func updatePassword(
        _ request: Request, auth: Auth, logger: Logger, respond: @escaping @Sendable (Response) -> Void
    ) {
        let email: String, token: String, newPassword: String
        do {
            let form = try FormInput(request)
            email = try form.required("email")
            // An absent token is the seed's account-takeover hole (`IS NULL`): it is a 403 here.
            guard let given = form.optional("reset_token") else {
                return respond(ErrorAnswer.make(.invalidResetToken))
            }
            token = given
            newPassword = try form.password("new_password")
        } catch { return respond(error.answer) }
        auth.updatePassword(email: email, resetToken: token, newPassword: newPassword) { result in
            respond(answer(result, logger: logger) { user in
                json(200, [("email", user.email), ("message", "Password updated")])
            })
        }
    }

    // MARK: shared

    private static func json(_ status: Int, _ pairs: [(String, String)]) -> Response {
        Response(status: status, body: JSONWriter.object(pairs))
    }

    private static func answer<T>(
        _ result: Result<T, AuthError>, logger: Logger, success: (T) -> Response
    ) -> Response {
        switch result {
        case .success(let value):
            return success(value)
        case .failure(let error):
            if case .internalFailure(let cause) = error {
                logger.error("internal failure", metadata: ["cause": "\(cause)"])
            }
            return ErrorAnswer.make(error)
        }
    }
}
