import HTTPParser

/// Which requests may change state from another site (login CSRF: a page elsewhere posts a form
/// to `POST /sessions`, and SameSite=Lax lets the browser keep the session cookie it sets). A POST,
/// PUT, PATCH or DELETE is refused when the browser says `Sec-Fetch-Site: cross-site`, or sends an
/// `Origin` that is neither the request's own `Host` nor one of `allowedOrigins`, unless that
/// origin is allowed. Requests with neither header (curl, `requests`, the seed's clients, which are
/// no browser a page could drive) pass unchanged. `Router.match` applies it to every route, so a
/// route added to the table is covered without doing anything.
public struct CrossSitePolicy: Sendable {
    /// Origins of front ends on other sites that may post (`--allowed-origin`), as
    /// `normalizedOrigin` writes them.
    public var allowedOrigins: [String]

    public init(allowedOrigins: [String] = []) {
        self.allowedOrigins = allowedOrigins
    }

    /// The answer to a refused request: before any work, so no cookie is set and nothing is counted.
    static let refusal = ErrorAnswer.make(403, "cross-site request refused")

    /// `scheme://host[:port]` as a browser serializes an origin (lower case, no default port, no
    /// path), for http and https; nil for anything else, such as a URL with a path.
    public static func normalizedOrigin(_ text: String) -> String? {
        let lowered = text.lowercased()
        let trimmed = lowered.hasSuffix("/") ? String(lowered.dropLast()) : lowered
        for (scheme, defaultPort) in [("http://", ":80"), ("https://", ":443")] where trimmed.hasPrefix(scheme) {
            var authority = trimmed.dropFirst(scheme.count)
            guard !authority.isEmpty, !authority.contains(where: { "/?#@ ".contains($0) }) else { return nil }
            if authority.hasSuffix(defaultPort) { authority = authority.dropLast(defaultPort.count) }
            return scheme + authority
        }
        return nil
    }

    /// Whether `request` writes from another site and must be refused; never for GET, HEAD or OPTIONS.
    func refuses(_ request: Request) -> Bool {
        switch request.method {
        case .get, .head, .options: return false
        default: break
        }
        // Every field counts: a second Origin or Sec-Fetch-Site cannot hide a first.
        let origins = request.headers.values("Origin")
        let host = request.headers.first("Host")
        if origins.contains(where: { !Self.isOrigin($0, of: host) && !isListed($0) }) { return true }
        guard request.headers.values("Sec-Fetch-Site").contains(where: { $0.lowercased() == "cross-site" }) else {
            return false
        }
        // A front end on another site is cross-site to the browser: its listed Origin lets it in.
        return origins.isEmpty || !origins.allSatisfy(isListed)
    }

    /// Whether `origin` is the request's own: its host and port are the `Host` field's. Any scheme,
    /// as authd behind a TLS proxy does not see the client's. `null` (a sandboxed frame, a redirect
    /// across sites) never is.
    private static func isOrigin(_ origin: String, of host: String?) -> Bool {
        guard let host, !host.isEmpty, let separator = origin.range(of: "://") else { return false }
        return origin[separator.upperBound...].lowercased() == host.lowercased()
    }

    private func isListed(_ origin: String) -> Bool {
        Self.normalizedOrigin(origin).map { allowedOrigins.contains($0) } ?? false
    }
}
