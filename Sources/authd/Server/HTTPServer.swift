import AuthService
import EventLoop
import HTTPParser
import Logging

/// The HTTP side of one reactor: accepts connections and owns their handlers. Loop thread only.
final class HTTPServer {
    let reactor: Reactor
    let routes: AuthRoutes
    let auth: Auth
    let settings: ServerSettings
    let logger: Logger
    let date = DateCache()
    /// Nil when `--no-access-log` (or a log level above info) turned it off.
    let accessLog: AccessLog?
    /// Nil when a log level above notice turned audit records off.
    let auditLog: AuditLog?
    let requestMetrics: RequestMetrics
    /// The caps on public connections, in all and per client.
    let limits: ConnectionLimits
    /// The parser every connection uses between requests (see `ParserBox`).
    let sharedParser: ParserBox
    /// Reused for serializing every response on this loop; lent out by `withScratch`.
    private var scratch: [UInt8]
    private var connections: [ObjectIdentifier: HTTPConnection] = [:]
    private var listeners: [(listener: Listener, admin: Bool)] = []
    /// Connections accepted by the admin listener: a drain does not wait for them.
    private var adminConnections = 0
    private(set) var draining = false
    private var onDrained: (() -> Void)?

    init(
        reactor: Reactor, auth: Auth, routes: AuthRoutes, settings: ServerSettings, accessLog: AccessLog?,
        auditLog: AuditLog?, logger: Logger
    ) {
        self.reactor = reactor
        self.accessLog = accessLog
        self.auditLog = auditLog
        requestMetrics = RequestMetrics(routes: routes.routeLabels)
        limits = ConnectionLimits(
            maximum: settings.maxConnections ?? Int.max, perClient: settings.maxConnectionsPerClient)
        self.auth = auth
        self.routes = routes
        self.settings = settings
        self.logger = logger
        sharedParser = ParserBox(RequestParser(limits: settings.limits))
        // Reserved in a local: an access to `scratch` spanning the allocation would keep a runtime
        // exclusivity check on the swaps that lend it out for every answer (callgrind).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4096)
        scratch = bytes
        // The store lookups of one cycle's requests go to the store thread in one wake-up.
        if let wakeStore = auth.holdStoreWakeups() { reactor.onCycleEnd(wakeStore) }
        if let accessLog { reactor.onCycleEnd { accessLog.flush() } }
        if let auditLog { reactor.onCycleEnd { auditLog.flush() } }
    }

    /// Lends the reused serialization buffer, emptied, to `body`. Swapped out rather than passed
    /// `inout`: an access that spans `body` would cost a runtime exclusivity check per response.
    func withScratch<T>(_ body: (inout [UInt8]) -> T) -> T {
        var bytes: [UInt8] = []
        swap(&bytes, &scratch)
        defer { swap(&bytes, &scratch) }
        bytes.removeAll(keepingCapacity: true)
        return body(&bytes)
    }

    /// Listens on `host:port` (port 0 picks one) and returns the bound port. An `admin` listener serves
    /// only `/metrics`, `/openapi.json` and `/healthz`; the others serve the first two only with
    /// `publicMetrics`.
    func listen(host: String, port: Int, reusePort: Bool, admin: Bool = false) throws -> Int {
        let listener = try reactor.listen(host: host, port: port, reusePort: reusePort) { [unowned self] in
            accept($0, admin: admin)
        }
        listeners.append((listener, admin))
        return listener.port
    }

    /// Serves an already-listening socket (systemd socket activation).
    func adopt(fd: Int32) throws -> Int {
        let listener = try reactor.adoptListener(fd: fd) { [unowned self] in accept($0, admin: false) }
        listeners.append((listener, false))
        return listener.port
    }

    private func accept(_ connection: Connection, admin: Bool) {
        guard !draining || admin else { return connection.abort() }
        let handler = HTTPConnection(connection, server: self, admin: admin)
        if !admin {
            let client = handler.capKey
            if let reason = limits.exceeded(by: client), !makeRoom(reason, for: client) {
                return refuse(connection, reason, client: handler.clientKey)
            }
            handler.countedAs = client
            limits.opened(client)
        }
        connections[ObjectIdentifier(handler)] = handler
        if admin { adminConnections += 1 }
        connection.handler = handler
        handler.start()
    }

    /// Counts a connection whose PROXY header has just named its client under that client's cap,
    /// as `accept` counts others: past the cap the client's oldest idle connection makes room, or
    /// this one gets 503 and closes (then false).
    func admitNamedClient(of handler: HTTPConnection, on connection: Connection) -> Bool {
        guard let client = handler.capKey else { return true }
        if limits.isFull(client) && !makeRoom(.client, for: client) {
            refuse(connection, .client, client: client)
            return false
        }
        handler.countedAs = client
        limits.assign(client)
        return true
    }

    func connectionClosed(_ handler: HTTPConnection) {
        connections[ObjectIdentifier(handler)] = nil
        if handler.admin {
            adminConnections -= 1
        } else {
            limits.closed(handler.countedAs)
            limits.clientBelowCap(handler.countedAs)
        }
        if draining && connections.count == adminConnections { finishDrain() }
    }

    private var activity: UInt64 = 0

    /// The next number of the server-wide activity sequence (connections order their idleness by it).
    func nextActivity() -> UInt64 {
        activity += 1
        return activity
    }

    /// Closes the oldest idle keep-alive connection that frees room under `reason`'s cap (any
    /// client's for the total, `client`'s own for its cap); false when none is idle.
    private func makeRoom(_ reason: ConnectionLimits.Reason, for client: String?) -> Bool {
        var oldest: HTTPConnection?
        for handler in connections.values where !handler.admin && handler.isIdle {
            if reason == .client && handler.countedAs != client { continue }
            if oldest.map({ handler.lastActive < $0.lastActive }) ?? true { oldest = handler }
        }
        guard let oldest else { return false }
        limits.noteIdleClosed(reason)
        oldest.closeIdle()
        return true
    }

    /// Answers a connection past a cap with a short 503 and closes it.
    private func refuse(_ connection: Connection, _ reason: ConnectionLimits.Reason, client: String) {
        if limits.noteRefused(reason) {
            logger.warning(
                "refusing connections: the \(reason == .total ? "process's" : "client's") connection cap is reached and none is idle",
                metadata: [
                    "client": "\(client)", "cap": "\(reason == .total ? limits.maximum : limits.perClient)",
                ])
        }
        withScratch { bytes in
            ResponseWriter.write(Self.tooManyConnections, keepAlive: false, date: date, into: &bytes)
            connection.write(bytes)
        }
        connection.close()
    }

    private static let tooManyConnections: Response = {
        var answer = Response.jsonMessage(status: 503, "too many connections; retry shortly")
        answer.headers.append(("Retry-After", "1"))
        return answer
    }()

    /// Client-identity misconfigurations already logged: each is worth one warning per process, not
    /// one per request (authd runs one server per process).
    private var warned: Set<ClientWarning> = []

    /// A sign that `--trusted-proxy` or `--proxy-protocol` does not match how clients arrive.
    enum ClientWarning: Hashable {
        /// A peer that is not a trusted proxy sent `X-Forwarded-For` or `Forwarded`; they were ignored.
        case untrustedForwarding
        /// A peer that is not a trusted proxy began with a PROXY header; the connection was closed.
        case untrustedProxyHeader
        /// A trusted proxy's connection did not begin with an acceptable PROXY header; closed.
        case badProxyHeader
    }

    /// Logs `warning` about `peer` the first time it happens; later ones pass in silence.
    func warnOnce(_ warning: ClientWarning, peer: String, error: ProxyHeaderError? = nil) {
        guard warned.insert(warning).inserted else { return }
        switch warning {
        case .untrustedForwarding:
            logger.warning(
                "ignoring X-Forwarded-For/Forwarded from \(peer), which is not a trusted proxy; behind a proxy, name it with --trusted-proxy (warned once)"
            )
        case .untrustedProxyHeader:
            logger.warning(
                "closed a connection from \(peer) that began with a PROXY header: it is not a trusted proxy (--trusted-proxy) (warned once)"
            )
        case .badProxyHeader:
            logger.warning(
                "closed a connection from trusted proxy \(peer): \(error.map { "\($0)" } ?? "nothing within the request timeout"); with --proxy-protocol its connections must begin with a PROXY header (warned once)"
            )
        }
    }

    /// Called once per written answer: metrics, then the access-log line.
    func answered(_ trace: RequestTrace?, status: Int, bytes: Int, address: String) {
        let elapsed = trace.map { MonotonicClock.nanoseconds() &- $0.startedAt } ?? 0
        requestMetrics.record(trace, status: status, elapsed: elapsed)
        accessLog?.record(trace, status: status, bytes: bytes, elapsed: elapsed, address: address)
    }

    /// The answer the server gives itself, without the routes: the operational routes (health, and
    /// metrics and the OpenAPI document on the admin listener, or on the public ones when
    /// `publicMetrics` asks), and 404 for anything else on the admin listener; nil for a request the
    /// routes answer (a public `/metrics` without `publicMetrics` gets their 404).
    func localAnswer(to match: RouteMatch, admin: Bool) -> Response? {
        switch match.operational {
        case .health:
            if draining { return drainingHealth }
            auth.probeStorage()
            let storage = auth.storageStatus.health
            return storage == .serving ? health : unhealthy(storage)
        case .metrics where admin || settings.publicMetrics:
            let page = MetricsPage.render(
                requests: requestMetrics, reactor: reactor.countersSnapshot, auth: auth.stats,
                storage: auth.storageStatus,
                connections: limits,
                auditDropped: auditLog?.dropped ?? 0)
            return Response(status: 200, contentType: MetricsPage.contentType, body: page)
        case .openAPI where admin || settings.publicMetrics:
            return openAPIDocument
        default:
            return admin ? Response.jsonMessage(status: 404, "not found") : nil
        }
    }

    /// `GET /openapi.json`: the document compiled into the binary.
    private let openAPIDocument = Response(
        status: 200,
        body: Array(
            UnsafeBufferPointer(start: OpenAPIDocument.text.utf8Start, count: OpenAPIDocument.text.utf8CodeUnitCount)))

    /// `GET /healthz`, a readiness check for load balancers: 200 while serving, 503 while draining
    /// or while the storage is unhealthy (as last seen: the check never waits for the store; a
    /// store that leaves its probe unanswered past a second reads as unavailable). The main
    /// listeners close when the drain starts; the admin listener stays open until it ends, to say 503.
    private let health = Response(status: 200, body: JSONWriter.object([("status", "serving")]))
    private let drainingHealth = Response(status: 503, body: JSONWriter.object([("status", "draining")]))

    /// 503 naming the storage fault (`storage_full`, `storage_lost`...), for a readiness check.
    private func unhealthy(_ storage: StoreHealth) -> Response {
        var answer = Response(status: 503, body: JSONWriter.object([("status", storage.name)]))
        answer.headers.append(("Retry-After", "5"))
        return answer
    }

    /// Stops accepting (but on the admin listener), lets requests in flight finish, then calls `done`
    /// (at the latest after the grace period).
    func drain(done: @escaping () -> Void) {
        guard !draining else { return }
        draining = true
        onDrained = done
        for entry in listeners where !entry.admin { entry.listener.close() }
        listeners.removeAll { !$0.admin }
        for handler in Array(connections.values) { handler.drain() }
        if connections.count == adminConnections { return finishDrain() }
        _ = reactor.schedule(after: settings.shutdownGraceMilliseconds) { [weak self] in
            guard let self, onDrained != nil else { return }
            logger.warning("grace period over, closing connections", metadata: ["open": "\(connections.count)"])
            for handler in Array(connections.values) { handler.abort() }
            finishDrain()
        }
    }

    private func finishDrain() {
        guard let done = onDrained else { return }
        onDrained = nil
        for entry in listeners { entry.listener.close() }
        listeners.removeAll()
        for handler in Array(connections.values) { handler.abort() }
        done()
    }
}
