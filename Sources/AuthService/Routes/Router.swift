import HTTPParser

/// Answers one request; `respond` is called exactly once, on any thread.
public typealias Handler = @Sendable (Request, @escaping @Sendable (Response) -> Void) -> Void

/// A method + path table: exact paths (an optional trailing slash is accepted, as Flask's
/// `strict_slashes=False` did), 404 for unknown paths, 405 with `Allow` for a known path.
public struct Router: Sendable {
    /// A handful of paths: a linear scan over Substring compares beats hashing a new String per request.
    private var routes: [Route] = []

    /// Structs rather than tuples: a closure stored in a tuple array element is kept in its generic
    /// form, and each call then goes through a thunk that copies the Request (callgrind).
    private struct Route {
        var path: String
        var entries: [Entry]
    }

    private struct Entry {
        var method: HTTPMethod
        var handler: Handler
    }

    public init() {}

    /// Adds `handler` for `method` on `path`; a GET route also answers HEAD.
    public mutating func add(_ method: HTTPMethod, _ path: String, _ handler: @escaping Handler) {
        if let index = routes.firstIndex(where: { $0.path == path }) {
            routes[index].entries.append(Entry(method: method, handler: handler))
        } else {
            routes.append(Route(path: path, entries: [Entry(method: method, handler: handler)]))
        }
    }

    /// Finds the handler for `request`, or answers 404 / 405 itself.
    public func route(_ request: Request, respond: @escaping @Sendable (Response) -> Void) {
        let path = Self.normalized(request.path)
        guard let table = routes.first(where: { $0.path == path })?.entries else {
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

    private static func normalized(_ path: Substring) -> Substring {
        if path.utf8.count > 1, path.utf8.last == UInt8(ascii: "/") { return path.dropLast() }
        return path
    }
}
