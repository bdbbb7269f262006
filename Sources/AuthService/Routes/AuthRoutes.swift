import HTTPParser
import Logging

/// The HTTP face of Auth: the route table of API.md, one thin handler per endpoint (`Endpoints/`).
/// A handler decodes the form, calls Auth with the client's identity, and maps the result to an
/// answer; status codes and messages live in `Routes/` alone. Answers are JSON, failures
/// `{"message": ...}`. Thread-safe.
public final class AuthRoutes: Sendable {
    /// What every handler needs; captured in the route table (no cycle through `self`). A class,
    /// so a handler's completion captures one reference, not the Logger's parts: four retains and
    /// releases fewer per request (callgrind).
    final class Context: Sendable {
        let auth: Auth
        let cookie: SessionCookie
        let logger: Logger
        /// The portal's URL and the hosts a login may return to.
        let gate: GateConfiguration
        let redirects: RedirectPolicy

        init(auth: Auth, cookie: SessionCookie, logger: Logger, gate: GateConfiguration) {
            self.auth = auth
            self.cookie = cookie
            self.logger = logger
            self.gate = gate
            redirects = gate.redirectPolicy
        }
    }

    private let router: Router

    /// `/`, 404, 405 and a refused cross-site write are answered on the calling thread; the others
    /// answer from Auth's threads. The cookie takes its `Domain` from `gate`.
    public init(
        auth: Auth, cookie: SessionCookie = SessionCookie(), crossSite: CrossSitePolicy = CrossSitePolicy(),
        gate: GateConfiguration = GateConfiguration(), logger: Logger
    ) {
        var cookie = cookie
        cookie.domain = gate.cookieDomain
        let context = Context(auth: auth, cookie: cookie, logger: logger, gate: gate)
        var router = Router(crossSite: crossSite)
        let welcome = Response(status: 200, body: JSONWriter.object([("message", "Bienvenue")]))
        // The handlers that hash take the connection (its closing matters only to a job that waits),
        // and the session lookup that every `GET /profile` makes (the connection remembers its key).
        router.add(.get, "/", answer: welcome)
        router.add(.post, "/users") { Self.register($0, $1, context, respond: $2) }
        router.add(.post, "/sessions") { Self.login($0, $1, context, respond: $2) }
        router.add(.delete, "/sessions") { request, _, respond in Self.logout(request, context, respond: respond) }
        // Before `/sessions/{id}`, which would take `2fa` as an id: the table matches in order.
        router.add(.post, "/sessions/2fa") { request, _, respond in
            Self.raiseSession(request, context, respond: respond)
        }
        router.add(.post, "/2fa/totp") { Self.beginTOTP($0, $1, context, respond: $2) }
        router.add(.put, "/2fa/totp") { request, _, respond in Self.confirmTOTP(request, context, respond: respond) }
        router.add(.delete, "/2fa/totp") { Self.disableTOTP($0, $1, context, respond: $2) }
        router.add(.get, "/sessions") { request, _, respond in Self.listSessions(request, context, respond: respond) }
        router.add(.delete, parameterized: "/sessions/{id}") { request, _, respond in
            Self.endSession(request, context, respond: respond)
        }
        router.add(.get, "/profile") { Self.profile($0, $1, context, respond: $2) }
        router.add(.post, "/reset_password") { request, _, respond in
            Self.requestResetToken(request, context, respond: respond)
        }
        router.add(.put, "/reset_password") { Self.updatePassword($0, $1, context, respond: $2) }
        // The gate's checks: a session read, as `GET /profile` makes. Every method but TRACE and
        // CONNECT, as nginx's subrequest keeps the method of the request it guards.
        for method in Self.checkedMethods {
            router.add(check: method, "\(PortalPath.verify)") { Self.verify($0, $1, context, respond: $2) }
            router.add(check: method, "\(PortalPath.verifyRedirecting)") {
                Self.verifyRedirecting($0, $1, context, respond: $2)
            }
        }
        // The portal's pages: HTML views of the same domain operations.
        router.add(.get, "\(PortalPath.login)") { request, _, respond in
            Self.loginPage(request, context, respond: respond)
        }
        router.add(.post, "\(PortalPath.login)") { Self.loginForm($0, $1, context, respond: $2) }
        router.add(.get, "\(PortalPath.signup)") { request, _, respond in
            Self.signupPage(request, context, respond: respond)
        }
        router.add(.post, "\(PortalPath.signup)") { Self.signupForm($0, $1, context, respond: $2) }
        router.add(.get, "\(PortalPath.reset)") { request, _, respond in
            Self.resetPage(request, context, respond: respond)
        }
        router.add(.post, "\(PortalPath.reset)") { request, _, respond in
            Self.resetForm(request, context, respond: respond)
        }
        router.add(.get, "\(PortalPath.resetConfirm)") { request, _, respond in
            Self.resetConfirmPage(request, context, respond: respond)
        }
        router.add(.post, "\(PortalPath.resetConfirm)") { Self.resetConfirmForm($0, $1, context, respond: $2) }
        router.add(.get, "\(PortalPath.account)") { Self.accountPage($0, $1, context, respond: $2) }
        router.add(.get, "\(PortalPath.loginCode)") { request, _, respond in
            Self.loginCodePage(request, context, respond: respond)
        }
        router.add(.post, "\(PortalPath.loginCode)") { request, _, respond in
            Self.loginCodeForm(request, context, respond: respond)
        }
        router.add(.post, "\(PortalPath.accountTOTP)") { Self.accountTOTPForm($0, $1, context, respond: $2) }
        router.add(.post, "\(PortalPath.accountTOTPConfirm)") { request, _, respond in
            Self.accountTOTPConfirmForm(request, context, respond: respond)
        }
        router.add(.post, "\(PortalPath.accountTOTPDisable)") {
            Self.accountTOTPDisableForm($0, $1, context, respond: $2)
        }
        router.add(.post, "\(PortalPath.logout)") { request, _, respond in
            Self.logoutForm(request, context, respond: respond)
        }
        router.add(.post, "\(PortalPath.logoutEverywhere)") { request, _, respond in
            Self.logoutEverywhereForm(request, context, respond: respond)
        }
        router.add(.post, "\(PortalPath.revoke)") { request, _, respond in
            Self.revokeForm(request, context, respond: respond)
        }
        router.add(.get, "/healthz", operational: .health)
        router.add(.get, "/metrics", operational: .metrics)
        router.add(.get, "/openapi.json", operational: .openAPI)
        self.router = router
    }

    /// The methods the gate's checks answer (HEAD with GET).
    static let checkedMethods: [HTTPMethod] = [.get, .post, .put, .delete, .patch, .options]

    /// The metrics label of each route, indexed by `RouteMatch.route`.
    public var routeLabels: [String] { router.labels }

    /// Each method and path answered, HEAD included (the OpenAPI document must list the same).
    public var endpoints: [(method: String, path: String)] { router.endpoints }

    /// Finds the route of `request`; match once, then `answer` (or answer an operational route yourself).
    public func match(_ request: Request) -> RouteMatch {
        router.match(request)
    }

    /// The answer of a match that needs no handler (`GET /`, a 404 or 405, a refused cross-site
    /// write), which a caller gives
    /// at once instead of calling `answer` (no completion closure to make); nil for the others.
    public func fixedAnswer(to match: RouteMatch) -> Response? {
        router.fixedAnswer(match)
    }

    /// Answers `request` as `match` says; `respond` runs exactly once, on any thread. `connection`
    /// is the request's connection (one per connection): once it closes, a password job still
    /// waiting is dropped and answered `.overloaded`, an answer that goes nowhere.
    public func answer(
        _ request: Request, _ match: RouteMatch, connection: ClientConnection? = nil,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        router.run(match, request, connection, respond: respond)
    }

    /// Matches and answers in one call (tests, and callers that need no route label).
    public func handle(
        _ request: Request, connection: ClientConnection? = nil, respond: @escaping @Sendable (Response) -> Void
    ) {
        router.run(router.match(request), request, connection, respond: respond)
    }

    /// The client identity Auth's policy sees for `request`, as the server found it (the peer, or
    /// the client a trusted proxy names).
    static func client(of request: Request) -> ClientIdentity {
        ClientIdentity(
            address: request.clientAddress,
            throttleKey: request.clientThrottleKey.isEmpty ? nil : request.clientThrottleKey,
            isExemptFromClientLimits: request.clientIsExemptFromLimits)
    }

    /// `Cache-Control: no-store` alone, for answers carrying personal data or a secret that no shared
    /// cache may keep (ASVS 8.2.1): one shared array, so such an answer allocates none for its headers.
    static let noStore: [(name: String, value: String)] = [("Cache-Control", "no-store")]

    static func json(_ status: Int, _ pairs: [(String, String)]) -> Response {
        Response(status: status, body: JSONWriter.object(pairs))
    }

    /// The success answer, or the failure's; a real internal fault is logged.
    static func answer<T>(_ result: Result<T, AuthError>, _ context: Context, success: (T) -> Response) -> Response {
        switch result {
        case .success(let value):
            return success(value)
        case .failure(let error):
            if case .internalFailure(let cause) = error {
                context.logger.error("internal failure", metadata: ["cause": "\(cause)"])
            }
            return ErrorAnswer.make(error)
        }
    }
}
