import HTTPParser
import Logging

/// The seven routes of API.md on top of `Auth`; answers are JSON, failures `{"message": ...}`.
public final class AuthRoutes: Sendable {
    /// What every handler needs; captured by value in the route table (no cycle through `self`).
    private struct Context: Sendable {
        let auth: Auth
        let cookie: SessionCookie
        let logger: Logger
        let throttles: Throttles
        let audit: AuditLog
        let counters: RouteCounters
    }

    private let router: Router
    /// Totals for metrics.
    public let counters = RouteCounters()

    /// `/` is answered on the calling thread; the others answer from Auth's threads.
    public init(
        auth: Auth, cookie: SessionCookie = SessionCookie(), throttles: Throttles = Throttles(),
        audit: AuditLog = AuditLog(enabled: false), logger: Logger
    ) {
        let context = Context(
            auth: auth, cookie: cookie, logger: logger, throttles: throttles, audit: audit, counters: counters)
        var router = Router()
        let welcome = Response(status: 200, body: JSONWriter.object([("message", "Bienvenue")]))
        router.add(.get, "/") { _, respond in respond(welcome) }
        router.add(.post, "/users") { Self.register($0, context, respond: $1) }
        router.add(.post, "/sessions") { Self.login($0, context, respond: $1) }
        router.add(.delete, "/sessions") { Self.logout($0, context, respond: $1) }
        router.add(.get, "/profile") { Self.profile($0, context, respond: $1) }
        router.add(.post, "/reset_password") { Self.resetToken($0, context, respond: $1) }
        router.add(.put, "/reset_password") { Self.updatePassword($0, context, respond: $1) }
        self.router = router
    }

    /// Answers `request`; `respond` runs exactly once, on any thread.
    public func handle(_ request: Request, respond: @escaping @Sendable (Response) -> Void) {
        router.route(request, respond: respond)
    }

    // MARK: handlers

    private static func register(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        let email: String, password: String
        do {
            (email, password) = try FormInput(request).credentials()
        } catch { return respond(error.answer) }
        let address = request.clientAddress
        if let refusal = admitByAddress(email: email, address: address, context) { return respond(refusal) }
        context.auth.register(email: email, password: password) { result in
            if case .success(let user) = result { context.audit.record(.registered, userID: user.id, address: address) }
            respond(answer(result, logger: context.logger) { user in
                json(200, [("email", user.email), ("message", "user created")])
            })
        }
    }

    private static func login(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        let email: String, password: String
        do {
            (email, password) = try FormInput(request).credentials()
        } catch { return respond(error.answer) }
        let address = request.clientAddress
        let throttles = context.throttles
        var refusal: (wait: Int, reason: String)?
        if let wait = throttles.loginsByEmail.begin(email) {
            refusal = (wait, "email_failure_limit")
        } else if let wait = throttles.loginsByAddress.begin(address) {
            throttles.loginsByEmail.end(email, failed: false)
            refusal = (wait, "address_failure_limit")
        }
        if let refusal {
            context.counters.loginsThrottled.add(1, ordering: .relaxed)
            context.audit.record(.throttled, email: email, address: address, reason: refusal.reason)
            return respond(ErrorAnswer.tooManyAttempts(retryAfter: refusal.wait))
        }
        context.auth.login(email: email, password: password) { result in
            var failed = false
            if case .failure(.invalidCredentials) = result { failed = true }
            throttles.loginsByEmail.end(email, failed: failed)
            throttles.loginsByAddress.end(address, failed: failed)
            switch result {
            case .success(let session):
                throttles.loginsByEmail.reset(email)
                context.audit.record(.loginSucceeded, userID: session.user.id, address: address)
            case .failure(let error):
                if failed { context.counters.loginsFailed.add(1, ordering: .relaxed) }
                context.audit.record(.loginFailed, email: email, address: address, reason: error.reason)
            }
            respond(answer(result, logger: context.logger) { session in
                var response = json(200, [("email", session.user.email), ("message", "logged in")])
                response.headers.append(context.cookie.setting(session.sessionID))
                response.headers.append(("Cache-Control", "no-store"))
                return response
            })
        }
    }

    private static func logout(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        let address = request.clientAddress
        context.auth.logout(sessionID: SessionCookie.sessionID(in: request)) { result in
            switch result {
            case .success(let user): context.audit.record(.loggedOut, userID: user.id, address: address)
            case .failure(.sessionExpired(let userID)): context.audit.record(.sessionExpired, userID: userID, address: address)
            case .failure: break
            }
            respond(answer(result, logger: context.logger) { _ in
                // 302, not 301/307/308: `requests` turns it into `GET /`, as seed clients expect.
                var response = json(302, [("message", "logged out")])
                response.headers.append(("Location", "/"))
                response.headers.append(context.cookie.clearing())
                response.headers.append(("Cache-Control", "no-store"))
                return response
            })
        }
    }

    private static func profile(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        let address = request.clientAddress
        context.auth.user(forSession: SessionCookie.sessionID(in: request)) { result in
            if case .failure(.sessionExpired(let userID)) = result {
                context.audit.record(.sessionExpired, userID: userID, address: address)
            }
            respond(answer(result, logger: context.logger) { user in json(200, [("email", user.email)]) })
        }
    }

    private static func resetToken(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        let email: String
        do {
            email = try FormInput(request).required("email")
        } catch { return respond(error.answer) }
        let address = request.clientAddress
        if let refusal = admitByAddress(email: email, address: address, context) { return respond(refusal) }
        context.auth.resetToken(email: email) { result in
            if case .success = result { context.audit.record(.resetTokenIssued, email: email, address: address) }
            respond(answer(result, logger: context.logger) { token in
                var response = json(200, [("email", email), ("reset_token", token)])
                response.headers.append(("Cache-Control", "no-store"))
                return response
            })
        }
    }

    private static func updatePassword(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
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
        let address = request.clientAddress
        context.auth.updatePassword(email: email, resetToken: token, newPassword: newPassword) { result in
            switch result {
            case .success(let user): context.audit.record(.passwordChanged, userID: user.id, address: address)
            case .failure(.resetTokenExpired): context.audit.record(.resetTokenExpired, email: email, address: address)
            case .failure: break
            }
            respond(answer(result, logger: context.logger) { user in
                json(200, [("email", user.email), ("message", "Password updated")])
            })
        }
    }

    // MARK: shared

    /// The per-address budget shared by registrations and reset-token requests; the 429 when spent.
    private static func admitByAddress(email: String, address: String, _ context: Context) -> Response? {
        guard let wait = context.throttles.requestsByAddress.admit(address) else { return nil }
        context.counters.requestsThrottled.add(1, ordering: .relaxed)
        context.audit.record(.throttled, email: email, address: address, reason: "address_request_limit")
        return ErrorAnswer.tooManyAttempts(retryAfter: wait)
    }

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
