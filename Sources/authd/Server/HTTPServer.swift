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
    /// True once an admin listener exists: `/metrics` and `/openapi.json` are then served there only.
    private var hasAdminListener = false
    /// Reused for serializing every response on this loop; lent out by `withScratch`.
    private var scratch: [UInt8] = []
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
        self.auth = auth
        self.routes = routes
        self.settings = settings
        self.logger = logger
        scratch.reserveCapacity(4096)
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
    /// only `/metrics`, `/openapi.json` and `/healthz`, and takes the first two off the others.
    func listen(host: String, port: Int, reusePort: Bool, admin: Bool = false) throws -> Int {
        let listener = try reactor.listen(host: host, port: port, reusePort: reusePort) { [unowned self] in
            accept($0, admin: admin)
        }
        if admin { hasAdminListener = true }
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
        connections[ObjectIdentifier(handler)] = handler
        if admin { adminConnections += 1 }
        connection.handler = handler
        handler.start()
    }

    func connectionClosed(_ handler: HTTPConnection) {
        connections[ObjectIdentifier(handler)] = nil
        if handler.admin { adminConnections -= 1 }
        if draining && connections.count == adminConnections { finishDrain() }
    }

    /// Called once per written answer: metrics, then the access-log line.
    func answered(_ trace: RequestTrace?, status: Int, bytes: Int, address: String) {
        let elapsed = trace.map { MonotonicClock.nanoseconds() &- $0.startedAt } ?? 0
        requestMetrics.record(trace, status: status, elapsed: elapsed)
        accessLog?.record(trace, status: status, bytes: bytes, elapsed: elapsed, address: address)
    }

    /// The answer the server gives itself, without the routes: the operational routes (health, and
    /// metrics and the OpenAPI document where they are served), and 404 for anything else on the
    /// admin listener; nil for a request the routes answer.
    func localAnswer(to match: RouteMatch, admin: Bool) -> Response? {
        switch match.operational {
        case .health:
            if draining { return drainingHealth }
            auth.probeStorage()
            let storage = auth.storageStatus.health
            return storage == .serving ? health : unhealthy(storage)
        case .metrics where admin || !hasAdminListener:
            let page = MetricsPage.render(
                requests: requestMetrics, reactor: reactor.countersSnapshot, auth: auth.stats, storage: auth.storageStatus,
                auditDropped: auditLog?.dropped ?? 0)
            return Response(status: 200, contentType: MetricsPage.contentType, body: page)
        case .openAPI where admin || !hasAdminListener:
            return openAPIDocument
        default:
            return admin ? Response.jsonMessage(status: 404, "not found") : nil
        }
    }

    /// `GET /openapi.json`: the document compiled into the binary.
    private let openAPIDocument = Response(
        status: 200,
        body: Array(UnsafeBufferPointer(start: OpenAPIDocument.text.utf8Start, count: OpenAPIDocument.text.utf8CodeUnitCount)))

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
