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

    /// The session id the request carries, if any (several Cookie headers are all searched).
    static func sessionID(in request: Request) -> String? {
        withSessionID(in: request) { String(decoding: $0, as: UTF8.self) }
    }

    /// `body` run on the bytes of the session id the request carries, if any, read in place.
    static func withSessionID<T>(in request: Request, _ body: (UnsafeRawBufferPointer) -> T) -> T? {
        request.headers.firstValue(of: "Cookie") { header in
            CookieParser.range(named: name, in: header).flatMap { range in
                range.isEmpty ? nil : body(UnsafeRawBufferPointer(rebasing: header[range]))
            }
        }
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
