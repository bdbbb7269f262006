import ArgumentParser
import AuthService
import EventLoop
import Glibc
import Logging

/// The authd daemon: parses flags (or `AUTHD_*` variables) and runs the service until SIGTERM/SIGINT.
@main
struct AuthdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd",
        abstract: "User-authentication HTTP service (register, log in, profile, log out, reset password)."
    )

    @Option(help: "Address to listen on, IPv4 or IPv6 (AUTHD_HOST).")
    var host: String = Environment.string("AUTHD_HOST") ?? "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free one and the log says which (AUTHD_PORT).")
    var port: Int = Environment.int("AUTHD_PORT") ?? 5000

    @Option(help: "SQLite database file, created if missing, never wiped (AUTHD_DATABASE).")
    var database: String = Environment.string("AUTHD_DATABASE") ?? "authd.db"

    @Option(help: "bcrypt cost for new hashes, 4...31; the seed uses 12 (AUTHD_BCRYPT_COST).")
    var bcryptCost: Int = Environment.int("AUTHD_BCRYPT_COST") ?? 12

    @Option(help: "Stored hashes above this bcrypt cost are not verified: the login fails and is logged (AUTHD_BCRYPT_MAX_COST).")
    var bcryptMaxCost: Int = Environment.int("AUTHD_BCRYPT_MAX_COST") ?? AuthConfiguration().bcryptMaximumCost

    @Option(help: "Shortest new password in characters; 1 takes any, as the seed; NIST asks 8 (AUTHD_PASSWORD_MIN_LENGTH).")
    var passwordMinLength: Int = Environment.int("AUTHD_PASSWORD_MIN_LENGTH") ?? AuthConfiguration().passwordMinimumLength

    @Option(help: "Threads hashing passwords; default one per core (AUTHD_HASH_THREADS).")
    var hashThreads: Int = Environment.int("AUTHD_HASH_THREADS") ?? AuthConfiguration().hashThreads

    @Option(help: "Password jobs allowed to wait for a hash thread before 503 (AUTHD_HASH_QUEUE).")
    var hashQueue: Int = Environment.int("AUTHD_HASH_QUEUE") ?? 1024

    @Option(help: "trace, debug, info, notice, warning, error or critical (AUTHD_LOG_LEVEL).")
    var logLevel: Logger.Level = Environment.string("AUTHD_LOG_LEVEL").flatMap { Logger.Level(rawValue: $0) } ?? .info

    @Option(help: "Seconds a client has to send a whole request before 408 (AUTHD_REQUEST_TIMEOUT).")
    var requestTimeout: Int = Environment.int("AUTHD_REQUEST_TIMEOUT") ?? 10

    @Option(help: "Seconds an idle keep-alive connection stays open (AUTHD_IDLE_TIMEOUT).")
    var idleTimeout: Int = Environment.int("AUTHD_IDLE_TIMEOUT") ?? 60

    @Option(help: "Largest request body in bytes before 413 (AUTHD_MAX_BODY).")
    var maxBody: Int = Environment.int("AUTHD_MAX_BODY") ?? 65536

    @Option(help: "Seconds SIGTERM waits for requests in flight (AUTHD_SHUTDOWN_GRACE).")
    var shutdownGrace: Int = Environment.int("AUTHD_SHUTDOWN_GRACE") ?? 10

    @Option(help: .hidden)
    var writeTimeout: Int = Environment.int("AUTHD_WRITE_TIMEOUT") ?? 30

    @Option(help: .hidden)
    var busyTimeoutMilliseconds: Int = Environment.int("AUTHD_BUSY_TIMEOUT_MS") ?? 5000

    @Option(name: .customLong("session-ttl"), help: "Session lifetime from log-in: 90, 90s, 15m, 2h or 7d (AUTHD_SESSION_TTL).", transform: Self.lifetime)
    var sessionTTL: Lifetime = Environment.lifetime("AUTHD_SESSION_TTL") ?? Lifetime(seconds: 7 * 86_400)

    @Option(name: .customLong("reset-token-ttl"), help: "Reset-token lifetime: 90, 90s, 15m, 2h or 7d (AUTHD_RESET_TOKEN_TTL).", transform: Self.lifetime)
    var resetTokenTTL: Lifetime = Environment.lifetime("AUTHD_RESET_TOKEN_TTL") ?? Lifetime(seconds: 15 * 60)

    @Option(help: "Failed logins per email within the throttle window before 429; 0 is off (AUTHD_LOGIN_FAILURE_LIMIT).")
    var loginFailureLimit: Int = Environment.int("AUTHD_LOGIN_FAILURE_LIMIT") ?? 5

    @Option(help: "Failed logins per client address within the window before 429; 0 is off (AUTHD_ADDRESS_FAILURE_LIMIT).")
    var addressFailureLimit: Int = Environment.int("AUTHD_ADDRESS_FAILURE_LIMIT") ?? 50

    @Option(help: "POST /users and POST /reset_password per client address within the window; 0 is off (AUTHD_ADDRESS_REQUEST_LIMIT).")
    var addressRequestLimit: Int = Environment.int("AUTHD_ADDRESS_REQUEST_LIMIT") ?? 100

    @Option(help: "Window the throttle limits count in: 90, 15m, 1h (AUTHD_THROTTLE_WINDOW).", transform: Self.lifetime)
    var throttleWindow: Lifetime = Environment.lifetime("AUTHD_THROTTLE_WINDOW") ?? Lifetime(seconds: 15 * 60)

    @Option(help: "First block once a limit is reached; doubles per strike up to the window (AUTHD_THROTTLE_BACKOFF).", transform: Self.lifetime)
    var throttleBackoff: Lifetime = Environment.lifetime("AUTHD_THROTTLE_BACKOFF") ?? Lifetime(seconds: 30)

    @Option(help: "Port of a separate listener for /metrics and /healthz; /metrics then leaves the main port (AUTHD_ADMIN_PORT).")
    var adminPort: Int?

    /// The flag, else the variable (an optional option cannot take a default in ArgumentParser).
    private var admin: Int? { adminPort ?? Environment.int("AUTHD_ADMIN_PORT") }

    @Option(help: "Address of the admin listener (AUTHD_ADMIN_HOST).")
    var adminHost: String = Environment.string("AUTHD_ADMIN_HOST") ?? "127.0.0.1"

    @Flag(help: "Do not write an access-log line per request (AUTHD_NO_ACCESS_LOG).")
    var noAccessLog: Bool = Environment.bool("AUTHD_NO_ACCESS_LOG")

    @Flag(help: "Mark the session cookie Secure (only for HTTPS deployments) (AUTHD_COOKIE_SECURE).")
    var cookieSecure: Bool = Environment.bool("AUTHD_COOKIE_SECURE")

    private static func lifetime(_ text: String) throws -> Lifetime {
        guard let lifetime = Lifetime(parsing: text) else {
            throw ValidationError("'\(text)' is not a duration: a positive number of seconds, or with s, m, h or d")
        }
        return lifetime
    }

    func validate() throws {
        guard (4...31).contains(bcryptCost) else { throw ValidationError("--bcrypt-cost must be 4...31") }
        guard hashThreads >= 1 else { throw ValidationError("--hash-threads must be at least 1") }
        guard hashQueue >= 1 else { throw ValidationError("--hash-queue must be at least 1") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        if let adminPort = admin, !(0...65535).contains(adminPort) { throw ValidationError("--admin-port must be 0...65535") }
        // A variable the parser cannot read would otherwise fall back to the default without a word.
        for name in ["AUTHD_SESSION_TTL", "AUTHD_RESET_TOKEN_TTL", "AUTHD_THROTTLE_WINDOW", "AUTHD_THROTTLE_BACKOFF"] {
            if let raw = Environment.string(name), Lifetime(parsing: raw) == nil {
                throw ValidationError("\(name)='\(raw)' is not a duration: a positive number of seconds, or with s, m, h or d")
            }
        }
        guard loginFailureLimit >= 0, addressFailureLimit >= 0, addressRequestLimit >= 0 else {
            throw ValidationError("throttle limits must not be negative")
        }
        guard requestTimeout >= 1, idleTimeout >= 1, writeTimeout >= 1, shutdownGrace >= 0, maxBody >= 0 else {
            throw ValidationError("timeouts must be at least 1 second and sizes not negative")
        }
    }

    func run() throws {
        let logger = LogSetup.bootstrap(level: logLevel)
        _ = Reactor.raiseFileLimit()
        let reactor = try Reactor()
        // Signals must be routed before Auth starts its threads, so every thread blocks them.
        let systemd = SystemdNotifier()
        var server: HTTPServer?
        try reactor.onSignals([SIGTERM, SIGINT]) { signal in
            logger.info("stopping", metadata: ["signal": "\(signal)"])
            systemd.notify("STOPPING=1\nSTATUS=draining connections")
            server?.drain { reactor.stop() }
        }

        var throttling = ThrottleSettings()
        throttling.emailFailureLimit = loginFailureLimit
        throttling.addressFailureLimit = addressFailureLimit
        throttling.addressRequestLimit = addressRequestLimit
        throttling.window = throttleWindow
        throttling.backoff = throttleBackoff
        // Audit events are notices, access-log lines info: both follow --log-level like every other line.
        let audit = logLevel <= .notice ? AuditLog() : nil
        let auth: Auth
        do {
            auth = try Auth(
                configuration: AuthConfiguration(
                    databasePath: database, bcryptCost: bcryptCost, hashThreads: hashThreads,
                    hashQueueLimit: hashQueue, busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                    sessionLifetime: sessionTTL, resetTokenLifetime: resetTokenTTL, throttling: throttling,
                    bcryptMaximumCost: bcryptMaxCost, passwordMinimumLength: passwordMinLength),
                audit: audit ?? DiscardingAuditSink())
        } catch {
            logger.critical("cannot start: \(error)", metadata: ["database": "\(database)"])
            throw ExitCode(1)
        }
        var settings = ServerSettings()
        settings.limits.maxBodyBytes = maxBody
        settings.requestTimeoutMilliseconds = Int64(requestTimeout) * 1000
        settings.idleTimeoutMilliseconds = Int64(idleTimeout) * 1000
        settings.writeTimeoutMilliseconds = Int64(writeTimeout) * 1000
        settings.shutdownGraceMilliseconds = shutdownGrace * 1000
        let routes = AuthRoutes(auth: auth, cookie: SessionCookie(secure: cookieSecure), logger: logger)
        let accessLog = !noAccessLog && logLevel <= .info ? AccessLog() : nil
        let http = HTTPServer(
            reactor: reactor, auth: auth, routes: routes, settings: settings, accessLog: accessLog, auditLog: audit,
            logger: logger)
        server = http
        let boundPort: Int
        let inherited = SocketActivation.inheritedListeners()
        do {
            if inherited.isEmpty {
                boundPort = try http.listen(host: host, port: port, reusePort: false)
            } else {
                boundPort = try inherited.map { try http.adopt(fd: $0) }[0]
            }
        } catch {
            logger.critical("cannot listen", metadata: ["address": "\(host):\(port)", "error": "\(error)"])
            auth.shutdown()
            throw ExitCode(1)
        }
        let shownHost = inherited.isEmpty ? (host.contains(":") ? "[\(host)]" : host) : "systemd-socket"
        logger.info("listening on http://\(shownHost):\(boundPort)", metadata: [
            "database": "\(database)", "bcrypt_cost": "\(bcryptCost)", "hash_threads": "\(hashThreads)",
        ])
        if let adminPort = admin {
            do {
                let bound = try http.listen(host: adminHost, port: adminPort, reusePort: false, admin: true)
                let shown = adminHost.contains(":") ? "[\(adminHost)]" : adminHost
                logger.info("admin listener on http://\(shown):\(bound) serves /metrics and /healthz")
            } catch {
                logger.critical("cannot listen", metadata: ["address": "\(adminHost):\(adminPort)", "error": "\(error)"])
                auth.shutdown()
                throw ExitCode(1)
            }
        }
        systemd.notify("READY=1\nSTATUS=serving on port \(boundPort)")
        if let interval = systemd.watchdogPingMilliseconds { pingWatchdog(systemd, every: interval, on: reactor) }
        defer { accessLog?.flush() }
        try reactor.run()
        auth.shutdown()
        audit?.flush()
        logger.info("stopped")
    }

    /// Keeps systemd's watchdog fed from the loop, so a stuck reactor gets restarted.
    private func pingWatchdog(_ systemd: SystemdNotifier, every milliseconds: Int, on reactor: Reactor) {
        _ = reactor.schedule(after: milliseconds) {
            systemd.notify("WATCHDOG=1")
            pingWatchdog(systemd, every: milliseconds, on: reactor)
        }
    }
}
