import HTTPParser

/// What a proxy tells the gate of the request it is deciding on, read only from a trusted proxy
/// (`--trusted-proxy`): from anyone else these fields are whatever the client chose to send.
enum OriginalRequest {
    /// nginx's `X-Original-URL` (its configuration sets it to `$scheme://$http_host$request_uri`).
    static func url(in headers: HTTPHeaders, trusted: Bool) -> String? {
        guard trusted else { return nil }
        return headers.first("X-Original-URL").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL Caddy and Traefik describe in `X-Forwarded-Proto`, `-Host` and `-Uri`; nil unless
    /// all three are there.
    static func forwardedURL(in headers: HTTPHeaders, trusted: Bool) -> String? {
        guard trusted, let scheme = headers.first("X-Forwarded-Proto"), let host = headers.first("X-Forwarded-Host"),
            let uri = headers.first("X-Forwarded-Uri"), !scheme.isEmpty, !host.isEmpty
        else { return nil }
        return scheme + "://" + host + uri
    }

    /// Whether the original request's method is GET or HEAD: `X-Forwarded-Method` from a trusted
    /// proxy, else `method`, the check's own.
    static func isSafeMethod(in headers: HTTPHeaders, trusted: Bool, else method: HTTPMethod) -> Bool {
        if trusted, let forwarded = headers.first("X-Forwarded-Method") {
            return forwarded == "GET" || forwarded == "HEAD"
        }
        return method == .get || method == .head
    }

    /// Whether an `Accept` field names `text/html`: a browser, which can follow a redirect to a page.
    static func acceptsHTML(_ headers: HTTPHeaders) -> Bool {
        let html = Array("text/html".utf8)
        return headers.firstValue(of: "Accept") { value in
            guard value.count >= html.count else { return nil }
            for start in 0...(value.count - html.count) {
                var matches = true
                for offset in 0..<html.count where value[start + offset] | 0x20 != html[offset] | 0x20 {
                    matches = false
                    break
                }
                if matches { return true }
            }
            return nil
        } ?? false
    }
}
