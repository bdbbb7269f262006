/// The portal's public URL (`--portal-url`): where the gate sends a browser to log in, and what
/// the portal's redirects are built on. `http` or `https` and a host (a name or an address, with
/// an optional port), nothing after it: the portal's pages sit at the root of that host.
public struct PortalURL: Sendable, Equatable, CustomStringConvertible {
    /// The URL without a trailing slash: `https://auth.example.com` or `http://127.0.0.1:9091`.
    public let base: String
    /// True for plain `http` (a test or development setup): redirects to `http` hosts are then allowed too.
    public let isPlainHTTP: Bool

    /// Reads `text`; nil when it is not such a URL.
    public init?(parsing text: String) {
        let lowered = text.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") {
            scheme = "https://"
        } else if lowered.hasPrefix("http://") {
            scheme = "http://"
        } else {
            return nil
        }
        let rest = text.utf8.dropFirst(scheme.utf8.count)
        // Printable ASCII only, and nothing that would make the URL mean something else.
        let refused: Set<UInt8> = [UInt8(ascii: "@"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "\\")]
        guard !rest.isEmpty, rest.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !refused.contains($0) }) else { return nil }
        let authority = rest.prefix { $0 != UInt8(ascii: "/") }
        guard !authority.isEmpty, authority.first != UInt8(ascii: ":") else { return nil }
        let path = rest.dropFirst(authority.count)
        guard path.isEmpty || path.elementsEqual("/".utf8) else { return nil }
        base = scheme + String(decoding: authority, as: UTF8.self).lowercased()
        isPlainHTTP = scheme == "http://"
    }

    /// The portal's `path` (which begins with `/`) as an absolute URL.
    public func link(_ path: String) -> String {
        base + path
    }

    public var description: String { base }
}
