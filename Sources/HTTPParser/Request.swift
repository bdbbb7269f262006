#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An HTTP request method.
public enum HTTPMethod: Sendable, Hashable {
    case get, head, post, put, delete, options, patch, trace, connect
    case other(String)

    /// The method token as it appears on the wire.
    public var name: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .patch: "PATCH"
        case .trace: "TRACE"
        case .connect: "CONNECT"
        case .other(let token): token
        }
    }
}

/// An HTTP protocol version (1.0 or 1.1 are the ones authd speaks).
public struct HTTPVersion: Sendable, Hashable {
    /// The number before the dot.
    public var major: UInt8
    /// The number after the dot.
    public var minor: UInt8

    /// A version from its two numbers.
    public init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.0.
    public static let http10 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1.
    public static let http11 = HTTPVersion(major: 1, minor: 1)
}

/// A complete request, owned by value so it can cross to another thread.
public struct Request: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The request target in origin form, path and query, not decoded: as sent, but an absolute-form
    /// target (`http://host/path?q`, RFC 9112 §3.2.2) is reduced to its path and query.
    public var target: String
    /// The protocol version of the request line.
    public var version: HTTPVersion
    /// The header fields in arrival order.
    public var headers: HTTPHeaders
    /// The body with any chunked framing removed.
    public var body: [UInt8]
    /// Whether the connection stays open after the answer (RFC 9112 §9.3).
    public var keepAlive: Bool
    /// The client's IP address as text, set by the server (the parser knows no sockets): the peer,
    /// or the client a trusted proxy names; empty when unknown.
    public var clientAddress: String = ""
    /// What per-client limits count the client under, set by the server (an IPv6 client's /64);
    /// empty counts it under `clientAddress`.
    public var clientThrottleKey: String = ""
    /// True when the server exempts the client from per-client limits.
    public var clientIsExemptFromLimits = false
    /// Whether a `Forwarded` or `X-Forwarded-For` field is present: noted by the parser as it reads
    /// the fields, so a server need not search every request for them. False in a request built by hand.
    public var hasForwardingField = false
    /// True when the server found the peer to be a trusted proxy, so the `X-Original-*` and
    /// `X-Forwarded-*` fields describe the request the proxy received; false for anyone else's,
    /// whose such fields mean nothing. Set by the server.
    public var isFromTrustedProxy = false

    /// A request built by hand (the parser builds its own).
    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http11,
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], keepAlive: Bool = true
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The target up to `?`, not percent-decoded.
    public var path: Substring {
        // Searched as bytes: a Character search would run grapheme breaking on every request.
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) { return target[..<q] }
        return target[...]
    }

    /// The raw query string after `?`, if any.
    public var query: Substring? {
        guard let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return target[target.index(after: q)...]
    }
}

extension HTTPMethod {
    /// The method named by `count` token bytes at `bytes`; methods are case-sensitive.
    init(bytes p: UnsafePointer<UInt8>, count: Int) {
        @inline(__always) func equals(_ literal: StaticString) -> Bool {
            count == literal.utf8CodeUnitCount && memcmp(p, literal.utf8Start, count) == 0
        }
        switch count {
        case 3 where equals("GET"): self = .get
        case 3 where equals("PUT"): self = .put
        case 4 where equals("POST"): self = .post
        case 4 where equals("HEAD"): self = .head
        case 5 where equals("PATCH"): self = .patch
        case 5 where equals("TRACE"): self = .trace
        case 6 where equals("DELETE"): self = .delete
        case 7 where equals("OPTIONS"): self = .options
        case 7 where equals("CONNECT"): self = .connect
        default: self = .other(String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self))
        }
    }
}
