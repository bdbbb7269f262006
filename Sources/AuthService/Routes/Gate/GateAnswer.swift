import HTTPParser

/// The gate check's answers, from the session lookup's result: 200 with the identity, the
/// caller's "log in first" for no session, and the API's answer for every other failure (a 503 when
/// storage is out). A session the domain finds valid but not enough (a second factor missing)
/// fails with an error of its own, which `ErrorAnswer` maps to 403: never 401, or the proxy would
/// send a logged-in browser back to the login page in a loop (oauth2-proxy's rule).
enum GateAnswer {
    /// `result` as the check's answer; `sendTo` makes the one that sends the browser to a portal
    /// page: the login page for a missing, unknown or expired session, the code step for a session
    /// waiting for its second factor, whose 401 becomes a 403 (a redirect for a browser stays one).
    static func make(
        _ result: Result<SessionHolder, AuthError>, _ context: AuthRoutes.Context,
        sendTo: (StaticString) -> Response
    ) -> Response {
        switch result {
        case .success(let holder):
            return allowed(holder)
        case .failure(.unknownSession), .failure(.sessionExpired):
            return sendTo(PortalPath.login)
        case .failure(.secondFactorRequired):
            var answer = sendTo(PortalPath.loginCode)
            if answer.status == 401 {
                answer.status = 403
                answer.body = ErrorAnswer.make(.secondFactorRequired).body
            }
            return answer
        case .failure:
            return AuthRoutes.answer(result, context) { _ in preconditionFailure("a failure has no success") }
        }
    }

    /// 200, no body, the identity in the fields nginx, Caddy and Traefik copy to the application:
    /// `Remote-User` (the user id) and `Remote-Email`, and oauth2-proxy's names for the same.
    /// The email is the holder's own String and the id a small one: no String is made per field.
    static func allowed(_ holder: SessionHolder) -> Response {
        let id = String(holder.userID)
        return Response(
            status: 200,
            headers: [
                ("Remote-User", id), ("Remote-Email", holder.email), ("X-Auth-Request-User", id),
                ("X-Auth-Request-Email", holder.email), ("Cache-Control", "no-store"),
            ], contentType: "")
    }

    /// 401 with a `Location` to the portal's `page` (the login page, or the code step), `original`
    /// (when known) as its `rd`.
    static func logInFirst(
        _ context: AuthRoutes.Context, at page: StaticString = PortalPath.login, returningTo original: String?
    ) -> Response {
        var location = context.gate.link(page)
        if let original { location += "?rd=" + PercentEncoding.encoded(original) }
        var answer = ErrorAnswer.make(401, "log in first")
        answer.headers.append(("Location", location))
        answer.headers.append(("Cache-Control", "no-store"))
        return answer
    }
}
