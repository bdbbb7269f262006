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
    public var major: UInt8
    public var minor: UInt8

    public init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    public static let http10 = HTTPVersion(major: 1, minor: 0)
    public static let http11 = HTTPVersion(major: 1, minor: 1)
}

/// A complete request, owned by value so it can cross to another thread.
public struct Request: Sendable {
    public var method: HTTPMethod
    /// The request target exactly as sent (path and query, not decoded).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// The body with any chunked framing removed.
    public var body: [UInt8]
    /// Whether the connection stays open after the answer (RFC 9112 §9.3).
    public var keepAlive: Bool

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
        if let q = target.firstIndex(of: "?") { return target[..<q] }
        return target[...]
    }

    /// The raw query string after `?`, if any.
    public var query: Substring? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: q)...]
    }
}
