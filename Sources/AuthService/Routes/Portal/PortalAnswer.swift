import HTTPParser

/// The portal's answers: pages and redirects with the headers every portal answer carries.
enum PortalAnswer {
    /// No script, no outside resource, never framed (`frame-ancestors`, against clickjacking); the
    /// address of a page (which may hold a reset token) stays on this site; nothing personal kept
    /// by a cache. (`nosniff` and `X-Frame-Options` the writer puts on every answer.)
    static let headers: [(name: String, value: String)] = [
        ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
        ("Referrer-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]

    /// A page of `html` with `status`.
    static func page(_ status: Int, _ html: [UInt8]) -> Response {
        Response(status: status, headers: headers, contentType: "text/html; charset=utf-8", body: html)
    }

    /// A 303 to `location` (the browser then GETs it, whatever it had sent), with `cookie` set or cleared.
    static func redirect(to location: String, cookie: (name: String, value: String)? = nil) -> Response {
        var answer = Response(status: 303, headers: headers, contentType: "")
        answer.headers.append(("Location", location))
        if let cookie { answer.headers.append(cookie) }
        return answer
    }

    /// A page for an Auth failure: the API's status and message (one policy for both), the wait of
    /// a throttled attempt said and sent as `Retry-After`; a real internal fault is logged.
    static func failure(_ error: AuthError, _ context: AuthRoutes.Context, page: (PortalPage.Message) -> [UInt8])
        -> Response
    {
        if case .internalFailure(let cause) = error {
            context.logger.error("internal failure", metadata: ["cause": "\(cause)"])
        }
        let (status, message, retryAfter) = ErrorAnswer.parts(error)
        var text = message.prefix(1).uppercased() + message.dropFirst()
        if case .throttled(let seconds) = error { text = "Too many attempts; try again in \(seconds) seconds" }
        var answer = self.page(status, page(.error(text + ".")))
        if let retryAfter { answer.headers.append(("Retry-After", String(retryAfter))) }
        return answer
    }

    /// A page for a form that could not be read (a missing field, a bad body): its status and message.
    static func badForm(_ error: FormInputError, page: (PortalPage.Message) -> [UInt8]) -> Response {
        let message = error.message.prefix(1).uppercased() + error.message.dropFirst()
        return self.page(error.answer.status, page(.error(message + ".")))
    }
}
