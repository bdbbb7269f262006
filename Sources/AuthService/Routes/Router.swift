import HTTPParser

/// Answers one request; `respond` is called exactly once, on any thread.
public typealias Handler = @Sendable (Request, @escaping @Sendable (Response) -> Void) -> Void

/// A method + path table: exact paths (an optional trailing slash is accepted, as Flask's
/// `strict_slashes=False` did), 404 for unknown paths, 405 with `Allow` for a known path.
public struct Router: Sendable {
    private var routes: [String: [(method: HTTPMethod, handler: Handler)]] = [:]

    public init() {}

    /// Adds `handler` for `method` on `path`; a GET route also answers HEAD.
    public mutating func add(_ method: HTTPMethod, _ path: String, _ handler: @escaping Handler) {
        routes[path, default: []].append((method, handler))
    }

    /// Finds the handler for `request`, or answers 404 / 405 itself.
    public func route(_ request: Request, respond: @escaping @Sendable (Response) -> Void) {
        guard let table = routes[Self.normalized(request.path)] else {
            respond(ErrorAnswer.make(404, "not found"))
            return
        }
        let method = request.method == .head ? HTTPMethod.get : request.method
        for entry in table where entry.method == method {
            entry.handler(request, respond)
            return
        }
        var allowed = table.map(\.method.name)
        if allowed.contains("GET") { allowed.append("HEAD") }
        var answer = ErrorAnswer.make(405, "method not allowed")
        answer.headers.append(("Allow", allowed.joined(separator: ", ")))
        respond(answer)
    }

    private static func normalized(_ path: Substring) -> String {
        if path.count > 1, path.last == "/" { return String(path.dropLast()) }
        return String(path)
    }
}
