import HTTPParser

extension AuthRoutes {
    /// `/verify`, any method (nginx `auth_request`, whose subrequest keeps the method it guards):
    /// 200 with the identity, or 401 with a `Location` to the login page and the original URL
    /// (`X-Original-URL`) as `rd`; nginx cannot follow a subrequest's redirect, so its
    /// configuration turns the 401 into one.
    static func verify(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        // Only the fields an answer without a session reads: nothing is made of them on the way in.
        let headers = request.headers
        let trusted = request.isFromTrustedProxy
        readSession(request, connection, context, respond: respond) { result in
            respond(
                GateAnswer.make(result, context) { page in
                    GateAnswer.logInFirst(
                        context, at: page, returningTo: OriginalRequest.url(in: headers, trusted: trusted))
                })
        }
    }

    /// `/verify/redirect`, any method (Caddy `forward_auth`, Traefik ForwardAuth, which pass the
    /// answer to the client): the same 200, or for a browser a 302 (GET, HEAD) or 303 (other
    /// methods) to the login page with the URL rebuilt from `X-Forwarded-Proto`, `-Host` and
    /// `-Uri` as `rd`; a client that does not accept `text/html` gets the 401.
    static func verifyRedirecting(
        _ request: Request, _ connection: ClientConnection?, _ context: Context,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        let headers = request.headers
        let trusted = request.isFromTrustedProxy
        let method = request.method
        readSession(request, connection, context, respond: respond) { result in
            respond(
                GateAnswer.make(result, context) { page in
                    let original = OriginalRequest.forwardedURL(in: headers, trusted: trusted)
                    var answer = GateAnswer.logInFirst(context, at: page, returningTo: original)
                    if OriginalRequest.acceptsHTML(headers) {
                        let safe = OriginalRequest.isSafeMethod(in: headers, trusted: trusted, else: method)
                        // 303 makes the browser GET the login page whatever it was sending; a 302
                        // after a POST is also turned into a GET by browsers, but only by custom.
                        answer.status = safe ? 302 : 303
                    }
                    return answer
                })
        }
    }
}
