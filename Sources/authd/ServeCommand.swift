import ArgumentParser
import AuthService
import EventLoop
import Glibc
import Logging

/// `authd serve`, the default subcommand, so `authd` and `authd --port …` serve as they always did:
/// reads its flags (or `AUTHD_*` variables) and runs the service until SIGTERM/SIGINT.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service (the default: `authd --port 5000` is `authd serve --port 5000`).",
        version: Version.text
    )

    @OptionGroup var options: Options

    func run() throws {
        // A setting that cannot be read or breaks its rule stops authd before it opens anything:
        // ArgumentParser prints the error, which names the setting and its value, on one line and exits 1.
        let settings = try Settings(options, environment: .process)
        let logger = LogSetup.bootstrap(level: settings.log.level)
        do {
            try serve(settings, logger: logger)
        } catch let error as StartupError {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        logger.info("stopped")
    }

    /// Starts the loop, Auth and the listeners, serves until a signal ends the drain, then stops them.
    /// Throws StartupError when something cannot start, after stopping what had started.
    private func serve(_ settings: Settings, logger: Logger) throws {
        let descriptors = Reactor.raiseFileLimit()
        var serverSettings = settings.server
        if serverSettings.maxConnections == nil, descriptors > 0 {
            serverSettings.maxConnections = max(1, descriptors - ServerSettings.descriptorReserve)
        }
        let systemd = SystemdNotifier()
        let reactor: Reactor
        var server: HTTPServer?
        // Signals must be routed before Auth starts its threads, so every thread blocks them.
        do {
            reactor = try Reactor()
            try reactor.onSignals([SIGTERM, SIGINT]) { signal in
                logger.info("stopping", metadata: ["signal": "\(signal)"])
                systemd.notify("STOPPING=1\nSTATUS=draining connections")
                server?.drain { reactor.stop() }
            }
        } catch {
            throw StartupError.eventLoop(error)
        }

        let audit = settings.log.writesAudit ? AuditLog() : nil
        let auth: Auth
        do {
            auth = try Auth(
                configuration: settings.auth, audit: audit ?? DiscardingAuditSink(),
                onStorageHealthChange: { from, to in StorageLog.change(from: from, to: to, logger: logger) })
        } catch {
            throw StartupError.auth(error)
        }
        let routes = AuthRoutes(
            auth: auth, cookie: settings.cookie, crossSite: settings.crossSite, gate: settings.gate, logger: logger)
        let accessLog = settings.log.writesAccessLog ? AccessLog() : nil
        let http = HTTPServer(
            reactor: reactor, auth: auth, routes: routes, settings: serverSettings, accessLog: accessLog,
            auditLog: audit, logger: logger)
        server = http
        let boundPort: Int
        do {
            boundPort = try listen(http, settings.listener, logger: logger, showing: settings.auth)
        } catch {
            auth.shutdown()
            throw error
        }

        // Once serving: a start that fails says only why.
        ResetDeliveryLog.starting(settings.auth, logger: logger)
        if let portal = settings.gate.portalURL, portal.isPlainHTTP {
            logger.warning(
                "the portal is served over plain http (\(portal)): logins may return to http pages; for tests and development only"
            )
        }
        systemd.notify("READY=1\nSTATUS=serving on port \(boundPort)")
        if let interval = systemd.watchdogPingMilliseconds { pingWatchdog(systemd, every: interval, on: reactor) }
        // The mail thread's audit lines arrive between requests: written within a second even when none come.
        if let audit, settings.auth.resetDelivery != .response { flushAudit(audit, every: 1000, on: reactor) }
        defer { accessLog?.flush() }
        try reactor.run()
        auth.shutdown()
        audit?.flush()
    }

    /// Opens the public listener (or serves the sockets systemd passed) and the admin listener, logs
    /// where each listens (the public one with `auth`'s database and hashing settings), and returns the public port.
    private func listen(
        _ http: HTTPServer, _ listener: ListenerSettings, logger: Logger, showing auth: AuthConfiguration
    ) throws -> Int {
        let inherited = SocketActivation.inheritedListeners()
        let boundPort: Int
        if inherited.isEmpty {
            do {
                boundPort = try http.listen(host: listener.host, port: listener.port, reusePort: false)
            } catch {
                throw StartupError.listen(address: Self.address(listener.host, listener.port), error)
            }
        } else {
            var ports: [Int] = []
            for fd in inherited {
                do { ports.append(try http.adopt(fd: fd)) } catch { throw StartupError.socketActivation(fd: fd, error) }
            }
            boundPort = ports[0]
        }
        let shown = inherited.isEmpty ? Self.address(listener.host, boundPort) : "systemd-socket:\(boundPort)"
        logger.info(
            "listening on http://\(shown)",
            metadata: [
                "database": "\(PostgreSQLUserStore.redacted(auth.databasePath))", "bcrypt_cost": "\(auth.bcryptCost)",
                "hash_threads": "\(auth.hashThreads)",
            ])
        if let adminPort = listener.adminPort {
            let bound: Int
            do {
                bound = try http.listen(host: listener.adminHost, port: adminPort, reusePort: false, admin: true)
            } catch {
                throw StartupError.listen(address: Self.address(listener.adminHost, adminPort), error)
            }
            logger.info(
                "admin listener on http://\(Self.address(listener.adminHost, bound)) serves /metrics, /openapi.json and /healthz"
            )
        }
        return boundPort
    }

    /// `host:port`, with an IPv6 host in brackets.
    private static func address(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Writes the queued audit lines every `milliseconds`, from the loop.
    private func flushAudit(_ audit: AuditLog, every milliseconds: Int, on reactor: Reactor) {
        _ = reactor.schedule(after: milliseconds) {
            audit.flush()
            flushAudit(audit, every: milliseconds, on: reactor)
        }
    }

    /// Keeps systemd's watchdog fed from the loop, so a stuck reactor gets restarted.
    private func pingWatchdog(_ systemd: SystemdNotifier, every milliseconds: Int, on reactor: Reactor) {
        _ = reactor.schedule(after: milliseconds) {
            systemd.notify("WATCHDOG=1")
            pingWatchdog(systemd, every: milliseconds, on: reactor)
        }
    }
}
