import HTTPParser

/// The `session_id` cookie: reading it from requests and writing it on answers.
public struct SessionCookie: Sendable {
    static let name = "session_id"
    /// Adds `Secure`; off by default so plain-http clients on localhost keep sending the cookie.
    public var secure: Bool
    /// The cookie's `Domain`, so every host under it receives it; nil keeps it to the host that set it.
    var domain: HostName?

    public init(secure: Bool = false) {
        self.secure = secure
    }

    /// A request carrying two different `session_id` values: whoever can set a cookie for a
    /// sub-path or a sibling domain can put theirs first (cookie tossing), so no choice is safe.
    struct Ambiguous: Error {}

    /// The answer to an `Ambiguous` request, on every route that reads the cookie.
    static let ambiguousAnswer = ErrorAnswer.make(
        400, "several different session_id cookies; clear this site's cookies and log in again")

    /// The session id the request carries, if any (see `withSessionID`).
    static func sessionID(in request: Request) throws(Ambiguous) -> String? {
        try withSessionID(in: request) { String(decoding: $0, as: UTF8.self) }
    }

    /// `body` run on the bytes of the session id the request carries, read in place; nil when it
    /// carries none or an empty one. Every `session_id` of every Cookie header is read: repeats of
    /// one value pass, two different values throw.
    static func withSessionID<T>(in request: Request, _ body: (UnsafeRawBufferPointer) -> T) throws(Ambiguous) -> T? {
        var headersWithOne = 0
        var differs = false
        var result: T?
        // The usual request has one Cookie header (RFC 6265 §5.4 asks browsers for one): its
        // values are compared in place. A proxy may split them over several headers; that rare
        // case is compared as Strings below.
        _ = request.headers.firstValue(of: "Cookie") { header -> Bool? in
            guard let first = CookieParser.range(named: name, in: header) else { return nil }
            headersWithOne += 1
            guard headersWithOne == 1 else { return true }
            let value = UnsafeRawBufferPointer(rebasing: header[first])
            var next = CookieParser.range(named: name, in: header, after: first)
            while let other = next {
                guard value.elementsEqual(UnsafeRawBufferPointer(rebasing: header[other])) else {
                    differs = true
                    return true
                }
                next = CookieParser.range(named: name, in: header, after: other)
            }
            if !value.isEmpty { result = body(value) }
            return nil
        }
        if differs { throw Ambiguous() }
        if headersWithOne > 1 {
            let values = request.headers.values("Cookie").flatMap { CookieParser.values(named: name, in: $0) }
            if values.contains(where: { $0 != values[0] }) { throw Ambiguous() }
        }
        return result
    }

    func setting(_ sessionID: String) -> (name: String, value: String) {
        ("Set-Cookie", "\(Self.name)=\(sessionID); Path=/" + attributes)
    }

    /// Tells the browser to drop the cookie.
    func clearing() -> (name: String, value: String) {
        ("Set-Cookie", "\(Self.name)=; Path=/; Max-Age=0" + attributes)
    }

    /// What both carry after the path, so the browser drops the very cookie it was given.
    private var attributes: String {
        (domain.map { "; Domain=\($0.text)" } ?? "") + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }
}
