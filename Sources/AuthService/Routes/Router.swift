import Glibc
import HTTPParser

/// Answers one request, given the connection it came on (nil without one);
/// `respond` is called exactly once, on any thread.
typealias Handler = @Sendable (Request, ClientConnection?, @escaping @Sendable (Response) -> Void) -> Void

/// The routes the server answers itself, from its own state: the route table names them so that
/// paths live in one place, and the server supplies the answer.
public enum OperationalRoute: Sendable, Equatable {
    /// `GET /healthz`, readiness for load balancers.
    case health
    /// `GET /metrics`, the Prometheus page.
    case metrics
    /// `GET /openapi.json`, the API's OpenAPI document.
    case openAPI
}

/// The outcome of matching a request: which route (by its index in the table, the label metrics
/// and the access log use) and which of its entries. Plain integers, so passing it costs nothing.
public struct RouteMatch: Sendable {
    /// The route's index in `Router.labels`; the last index (`other`) for an unknown path.
    public let route: Int
    /// The entry for the request's method; nil when the path is unknown or has no such method.
    let entry: Int?
    /// The server's own route, when this is one and the method is the one it answers.
    public let operational: OperationalRoute?
    /// Whether the request writes from another site (`CrossSitePolicy`): answered 403, nothing run.
    var refusedAsCrossSite = false
}

/// A method + path table: exact paths (an optional trailing slash is accepted on the API's routes,
/// as Flask's `strict_slashes=False` did, but not on the server's own: a proxy rule denying
/// `= /metrics` must not be passed by `/metrics/`), 404 for unknown paths, 405 with `Allow` for a
/// known path. Every route's writes are checked against `crossSite` in `match`, before anything
/// runs: a route gets that protection by being in the table.
struct Router: Sendable {
    /// Which requests that change state may come from another site.
    let crossSite: CrossSitePolicy

    /// A handful of paths: a linear scan over Substring compares beats hashing a new String per request.
    private var routes: [Route] = []

    /// Structs rather than tuples: a closure stored in a tuple array element is kept in its generic
    /// form, and each call then goes through a thunk that copies the Request (callgrind).
    private struct Route {
        var path: String
        /// The path's bytes, compared against each request's: no String comparison per request.
        /// For a path ending in a parameter, the bytes before it.
        var bytes: [UInt8]
        /// Whether the path ends in a parameter: a target matches with one non-empty segment after `bytes`.
        var takesParameter: Bool
        var entries: [Entry]
        /// True for the server's own routes, which match without a trailing slash only.
        var exact = false
        /// The 405 answer, made once when the route is added to.
        var methodNotAllowed: Response
    }

    private struct Entry {
        var method: HTTPMethod
        var target: Target
        /// A check that changes nothing (the gate's `/verify`): nginx's subrequest keeps the
        /// guarded request's method and `Origin` but names authd's upstream as `Host`, so the
        /// cross-site rule would refuse every form posted to a protected application.
        var changesNothing = false
    }

    private enum Target {
        case handler(Handler)
        case operational(OperationalRoute)
        /// The same answer every time, made once.
        case fixed(Response)
    }

    private static let notFound = Response.jsonMessage(status: 404, "not found")

    init(crossSite: CrossSitePolicy = CrossSitePolicy()) {
        self.crossSite = crossSite
    }

    /// The label of each route in table order, then `other` for every unknown path.
    var labels: [String] { routes.map(\.path) + ["other"] }

    /// Each method and path the table answers, in table order (HEAD after each GET).
    var endpoints: [(method: String, path: String)] {
        routes.flatMap { route in
            route.entries.flatMap { entry in
                (entry.method == .get ? ["GET", "HEAD"] : [entry.method.name]).map { (method: $0, path: route.path) }
            }
        }
    }

    /// Adds `handler` for `method` on `path`; a GET route also answers HEAD.
    mutating func add(_ method: HTTPMethod, _ path: String, _ handler: @escaping Handler) {
        add(method, path, .handler(handler))
    }

    /// Adds a route that always gives `answer` (a GET route also answers HEAD).
    mutating func add(_ method: HTTPMethod, _ path: String, answer: Response) {
        add(method, path, .fixed(answer))
    }

    /// Adds `handler` for `method` on `path`, a check that changes nothing whatever its method
    /// (the gate's): never refused as a cross-site write.
    mutating func add(check method: HTTPMethod, _ path: String, _ handler: @escaping Handler) {
        add(method, path, .handler(handler), changesNothing: true)
    }

    /// Names one of the server's own routes.
    mutating func add(_ method: HTTPMethod, _ path: String, operational: OperationalRoute) {
        add(method, path, .operational(operational))
    }

    /// Adds `handler` for `method` on a path ending in one parameter, written `/prefix/{name}`.
    mutating func add(_ method: HTTPMethod, parameterized path: String, _ handler: @escaping Handler) {
        add(method, path, .handler(handler))
    }

    private mutating func add(_ method: HTTPMethod, _ path: String, _ target: Target, changesNothing: Bool = false) {
        let parameter = path.hasSuffix("}") ? path.lastIndex(of: "{") : nil
        let index =
            routes.firstIndex { $0.path == path }
            ?? {
                routes.append(
                    Route(
                        path: path, bytes: Array(path[..<(parameter ?? path.endIndex)].utf8),
                        takesParameter: parameter != nil, entries: [], methodNotAllowed: Self.notFound))
                return routes.count - 1
            }()
        routes[index].entries.append(Entry(method: method, target: target, changesNothing: changesNothing))
        if case .operational = target { routes[index].exact = true }
        var allowed = routes[index].entries.map(\.method.name)
        if allowed.contains("GET") { allowed.append("HEAD") }
        var answer = Response.jsonMessage(status: 405, "method not allowed")
        answer.headers.append(("Allow", allowed.joined(separator: ", ")))
        routes[index].methodNotAllowed = answer
    }

    /// The route of `request` and what answers it: a handler, the server, a 404 / 405, or the 403
    /// of a write from another site (`CrossSitePolicy.refuses`, the one place it is decided).
    func match(_ request: Request) -> RouteMatch {
        let method = request.method == .head ? HTTPMethod.get : request.method
        guard let route = index(of: request.target) else {
            return RouteMatch(route: routes.count, entry: nil, operational: nil)
        }
        guard let entry = routes[route].entries.firstIndex(where: { $0.method == method }) else {
            return RouteMatch(route: route, entry: nil, operational: nil)
        }
        if case let .operational(which) = routes[route].entries[entry].target {
            return RouteMatch(route: route, entry: entry, operational: which)
        }
        let refused = !routes[route].entries[entry].changesNothing && crossSite.refuses(request)
        return RouteMatch(route: route, entry: entry, operational: nil, refusedAsCrossSite: refused)
    }

    /// Runs the match's handler, or answers its 404 / 405. An operational route reaching here is
    /// one this listener does not serve: 404.
    func run(
        _ match: RouteMatch, _ request: Request, _ connection: ClientConnection?,
        respond: @escaping @Sendable (Response) -> Void
    ) {
        guard match.route < routes.count else { return respond(Self.notFound) }
        guard let entry = match.entry else { return respond(routes[match.route].methodNotAllowed) }
        guard !match.refusedAsCrossSite else { return respond(CrossSitePolicy.refusal) }
        switch routes[match.route].entries[entry].target {
        case let .handler(handler): handler(request, connection, respond)
        case .operational: respond(Self.notFound)
        case let .fixed(answer): respond(answer)
        }
    }

    /// The answer of a match that needs no handler: a fixed route's, or the 404 / 405; else nil.
    func fixedAnswer(_ match: RouteMatch) -> Response? {
        guard match.route < routes.count else { return Self.notFound }
        guard let entry = match.entry else { return routes[match.route].methodNotAllowed }
        guard !match.refusedAsCrossSite else { return CrossSitePolicy.refusal }
        guard case let .fixed(answer) = routes[match.route].entries[entry].target else { return nil }
        return answer
    }

    /// The route whose path is the target's, up to `?` (and for an API route without a trailing
    /// slash); a parameterized route's when the target is its prefix and one segment more. Compared as bytes with memcmp: generic Substring or collection comparisons cost
    /// several times more (callgrind).
    private func index(of target: String) -> Int? {
        var target = target
        return target.withUTF8 { bytes in
            guard let start = bytes.baseAddress else { return nil }
            var whole = 0
            while whole < bytes.count && bytes[whole] != UInt8(ascii: "?") { whole += 1 }
            let trimmed = whole > 1 && bytes[whole - 1] == UInt8(ascii: "/") ? whole - 1 : whole
            for index in routes.indices {
                let length = routes[index].exact ? whole : trimmed
                let count = routes[index].bytes.count
                if routes[index].takesParameter {
                    // The prefix, then one non-empty segment: no further `/`.
                    if length > count && memcmp(start, routes[index].bytes, count) == 0
                        && memchr(start + count, Int32(UInt8(ascii: "/")), length - count) == nil
                    {
                        return index
                    }
                } else if count == length && memcmp(start, routes[index].bytes, length) == 0 {
                    return index
                }
            }
            return nil
        }
    }
}
