/// Settings of the gate and the portal: the portal's public URL, the session cookie's domain, and
/// the hosts a login may return to. The one home of their defaults: none of each.
public struct GateConfiguration: Sendable {
    /// The portal's public URL; nil makes the gate's links relative (`/login?rd=…`), right only when
    /// the portal and the applications share one host.
    public var portalURL: PortalURL?
    /// The session cookie's `Domain`, so one login serves every application under it; nil keeps
    /// the cookie to the portal's own host.
    public var cookieDomain: HostName?
    /// Hosts outside the cookie domain a login may return to.
    public var allowedRedirectHosts: [HostName] = []

    /// No portal URL, no cookie domain, no further host.
    public init(portalURL: PortalURL? = nil, cookieDomain: HostName? = nil, allowedRedirectHosts: [HostName] = []) {
        self.portalURL = portalURL
        self.cookieDomain = cookieDomain
        self.allowedRedirectHosts = allowedRedirectHosts
    }

    /// The rule a login's `rd` must pass.
    public var redirectPolicy: RedirectPolicy {
        RedirectPolicy(
            cookieDomain: cookieDomain, allowedHosts: allowedRedirectHosts,
            allowsPlainHTTP: portalURL?.isPlainHTTP ?? false)
    }

    /// The portal's `path` as the gate and the portal link to it: absolute with a portal URL, else as given.
    public func link(_ path: String) -> String {
        portalURL?.link(path) ?? path
    }
}
