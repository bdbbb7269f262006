import AuthService
import EventLoop
import HTTPParser
import Logging

/// The HTTP side of one reactor: accepts connections and owns their handlers. Loop thread only.
final class HTTPServer {
    let reactor: Reactor
    let routes: AuthRoutes
    let settings: ServerSettings
    let logger: Logger
    let date = DateCache()
    /// Reused for serializing every response on this loop.
    var scratch: [UInt8] = []
    private var connections: [ObjectIdentifier: HTTPConnection] = [:]
    private var listeners: [Listener] = []
    private(set) var draining = false
    private var onDrained: (() -> Void)?

    init(reactor: Reactor, routes: AuthRoutes, settings: ServerSettings, logger: Logger) {
        self.reactor = reactor
        self.routes = routes
        self.settings = settings
        self.logger = logger
        scratch.reserveCapacity(4096)
    }

    /// Listens on `host:port` (port 0 picks one) and returns the bound port.
    func listen(host: String, port: Int, reusePort: Bool) throws -> Int {
        let listener = try reactor.listen(host: host, port: port, reusePort: reusePort) { [unowned self] in
            accept($0)
        }
        listeners.append(listener)
        return listener.port
    }

    /// Serves an already-listening socket (systemd socket activation).
    func adopt(fd: Int32) throws -> Int {
        let listener = try reactor.adoptListener(fd: fd) { [unowned self] in accept($0) }
        listeners.append(listener)
        return listener.port
    }

    private func accept(_ connection: Connection) {
        guard !draining else { return connection.abort() }
        let handler = HTTPConnection(connection, server: self)
        connections[ObjectIdentifier(handler)] = handler
        connection.handler = handler
        handler.start()
    }

    func connectionClosed(_ handler: HTTPConnection) {
        connections[ObjectIdentifier(handler)] = nil
        if draining && connections.isEmpty { finishDrain() }
    }

    var openConnections: Int { connections.count }

    /// `GET /healthz` for load balancers. While draining the listener is already closed, so a
    /// balancer sees refused connections rather than a 503 from us.
    let health = Response(status: 200, body: JSONWriter.object([("status", "serving")]))

    /// Stops accepting, lets requests in flight finish, then calls `done` (at the latest after the grace period).
    func drain(done: @escaping () -> Void) {
        guard !draining else { return }
        draining = true
        onDrained = done
        for listener in listeners { listener.close() }
        listeners.removeAll()
        for handler in Array(connections.values) { handler.drain() }
        if connections.isEmpty { return finishDrain() }
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
        done()
    }
}
