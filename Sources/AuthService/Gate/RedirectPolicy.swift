/// Where a browser may be sent once it has logged in: the one rule against open redirects. Only an
/// absolute `https` URL (or `http` when the portal itself is plain `http`) whose host is the cookie
/// domain, a name under it, or a host named as allowed. Anything else (relative or
/// scheme-relative URLs, other schemes such as `javascript:`, user info, backslashes, spaces,
/// control or non-ASCII bytes, IP literals) is refused rather than repaired: browsers repair such
/// URLs in ways that differ from one another.
public struct RedirectPolicy: Sendable {
    /// The session cookie's domain: it and every name under it are allowed.
    public var cookieDomain: HostName?
    /// Further hosts allowed exactly (not the names under them).
    public var allowedHosts: [HostName]
    /// Whether `http` targets are allowed (the portal itself is served over plain `http`).
    public var allowsPlainHTTP: Bool

    /// Longer targets are refused: no real page's address needs more.
    static let maximumBytes = 4096

    /// A policy; with no cookie domain and no allowed hosts it allows nothing.
    public init(cookieDomain: HostName? = nil, allowedHosts: [HostName] = [], allowsPlainHTTP: Bool = false) {
        self.cookieDomain = cookieDomain
        self.allowedHosts = allowedHosts
        self.allowsPlainHTTP = allowsPlainHTTP
    }

    /// `text` as the URL to send the browser to (scheme and host lower-cased), or nil when the
    /// rule does not allow it.
    public func target(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maximumBytes,
            bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") })
        else { return nil }
        let scheme: String
        if Self.hasPrefix(bytes, "https://") {
            scheme = "https://"
        } else if allowsPlainHTTP && Self.hasPrefix(bytes, "http://") {
            scheme = "http://"
        } else {
            return nil
        }
        let rest = bytes[scheme.utf8.count...]
        let authorityEnd =
            rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        // User info (`https://allowed.example@evil.example`) is refused, not stripped.
        guard !authority.contains(UInt8(ascii: "@")) else { return nil }
        let colon = authority.firstIndex(of: UInt8(ascii: ":"))
        guard let host = HostName.normalized(authority[..<(colon ?? authority.endIndex)]), allows(host) else {
            return nil
        }
        var port = ""
        if let colon {
            let digits = authority[(colon + 1)...]
            guard (1...5).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }),
                let number = Int(String(decoding: digits, as: UTF8.self)), (1...65535).contains(number)
            else { return nil }
            port = ":\(number)"
        }
        return scheme + host + port + String(decoding: rest[authorityEnd...], as: UTF8.self)
    }

    /// Whether the lower-cased `host` is allowed.
    private func allows(_ host: String) -> Bool {
        (cookieDomain?.covers(host) ?? false) || allowedHosts.contains { $0.text == host }
    }

    /// Whether `bytes` begin with the lower-case ASCII `prefix`, ignoring case.
    private static func hasPrefix(_ bytes: [UInt8], _ prefix: String) -> Bool {
        bytes.count >= prefix.utf8.count && zip(bytes, prefix.utf8).allSatisfy { ($0 | 0x20) == $1 }
    }
}
