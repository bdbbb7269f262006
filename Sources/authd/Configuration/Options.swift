import ArgumentParser
import AuthService
import Logging

/// authd's flags. None has a default of its own: a flag left out falls back to its `AUTHD_*` variable,
/// then to the default of the settings type that owns it (see `Settings`); the defaults `--help`
/// shows are read from those types.
struct Options: ParsableArguments {
    @Option(help: Options.shown("Address to listen on, IPv4 or IPv6 (AUTHD_HOST).", default: ListenerSettings().host))
    var host: String?

    @Option(
        help: Options.shown(
            "TCP port; 0 picks a free one and the log says which (AUTHD_PORT).", default: ListenerSettings().port))
    var port: Int?

    @Option(
        help: Options.shown(
            "SQLite database file, created if missing, never wiped; or a postgresql:// URI (libpq's, several hosts allowed) of an existing database, shared by several nodes (AUTHD_DATABASE).",
            default: AuthConfiguration().databasePath))
    var database: String?

    @Option(
        help: Options.shown(
            "bcrypt cost for new hashes, 4...31; the seed uses 12 (AUTHD_BCRYPT_COST).",
            default: AuthConfiguration().bcryptCost))
    var bcryptCost: Int?

    @Option(
        help: Options.shown(
            "Stored hashes above this bcrypt cost are not verified: the login fails and is logged (AUTHD_BCRYPT_MAX_COST).",
            default: AuthConfiguration().bcryptMaximumCost))
    var bcryptMaxCost: Int?

    @Option(
        help: Options.shown(
            "Shortest new password in characters; 1 takes any, as the seed; NIST asks 8 (AUTHD_PASSWORD_MIN_LENGTH).",
            default: AuthConfiguration().passwordMinimumLength))
    var passwordMinLength: Int?

    @Option(
        help: Options.shown(
            "Threads hashing passwords; default one per core (AUTHD_HASH_THREADS).",
            default: AuthConfiguration().hashThreads))
    var hashThreads: Int?

    @Option(
        help: Options.shown(
            "Password jobs allowed to wait for a hash thread before 503 (AUTHD_HASH_QUEUE).",
            default: AuthConfiguration().hashQueueLimit))
    var hashQueue: Int?

    @Option(
        help: Options.shown(
            "trace, debug, info, notice, warning, error or critical (AUTHD_LOG_LEVEL).", default: LogSettings().level))
    var logLevel: Logger.Level?

    @Option(
        help: Options.shown(
            "Seconds a client has to send a whole request before 408 (AUTHD_REQUEST_TIMEOUT).",
            default: ServerSettings().requestTimeoutMilliseconds / 1000))
    var requestTimeout: Int?

    @Option(
        help: Options.shown(
            "Seconds an idle keep-alive connection stays open (AUTHD_IDLE_TIMEOUT).",
            default: ServerSettings().idleTimeoutMilliseconds / 1000))
    var idleTimeout: Int?

    @Option(
        help: Options.shown(
            "Largest request body in bytes before 413 (AUTHD_MAX_BODY).", default: ServerSettings().limits.maxBodyBytes)
    )
    var maxBody: Int?

    @Option(
        help:
            "Client connections held at most; default the descriptor limit less a reserve of 64 (AUTHD_MAX_CONNECTIONS)."
    )
    var maxConnections: Int?

    @Option(
        help: Options.shown(
            "Connections one client (address, IPv6 /64) may hold; beyond, its oldest idle one is closed or the newcomer gets 503 (AUTHD_MAX_CONNECTIONS_PER_CLIENT).",
            default: ServerSettings().maxConnectionsPerClient))
    var maxConnectionsPerClient: Int?

    @Option(
        help: Options.shown(
            "Seconds SIGTERM waits for requests in flight (AUTHD_SHUTDOWN_GRACE).",
            default: ServerSettings().shutdownGraceMilliseconds / 1000))
    var shutdownGrace: Int?

    /// Seconds queued output may make no progress (AUTHD_WRITE_TIMEOUT).
    @Option(help: .hidden)
    var writeTimeout: Int?

    /// Milliseconds SQLite waits for a lock (AUTHD_BUSY_TIMEOUT_MS).
    @Option(help: .hidden)
    var busyTimeoutMilliseconds: Int?

    @Option(help: .hidden)
    var maxDatabasePages: Int?

    @Option(
        name: .customLong("session-ttl"),
        help: "Session lifetime from log-in: 90, 90s, 15m, 2h or 7d (AUTHD_SESSION_TTL).", transform: Options.parse)
    var sessionTTL: Lifetime?

    @Option(
        name: .customLong("sessions-per-user"),
        help:
            "Sessions a user keeps at once, one per device; a login past it ends the least recently used (AUTHD_SESSIONS_PER_USER). (default: 1, the seed's rule)"
    )
    var sessionsPerUser: Int?

    @Option(
        name: .customLong("session-idle-timeout"),
        help:
            "End a session unused for this long: 90, 90s, 15m, 2h or 7d (AUTHD_SESSION_IDLE_TIMEOUT). (default: none)",
        transform: Options.parse)
    var sessionIdleTimeout: Lifetime?

    @Option(
        name: .customLong("reset-token-ttl"),
        help: "Reset-token lifetime: 90, 90s, 15m, 2h or 7d (AUTHD_RESET_TOKEN_TTL).", transform: Options.parse)
    var resetTokenTTL: Lifetime?

    @Option(
        help: Options.shown(
            "Failed logins per email and client within the throttle window before 429; 0 is off (AUTHD_LOGIN_FAILURE_LIMIT).",
            default: ThrottleSettings().emailFailureLimit))
    var loginFailureLimit: Int?

    @Option(
        help: Options.shown(
            "Failed logins per account from any client within the account window before strangers are slowed to one attempt per window/limit; 0 is off (AUTHD_ACCOUNT_FAILURE_LIMIT).",
            default: ThrottleSettings().accountFailureLimit))
    var accountFailureLimit: Int?

    @Option(
        help: "Window the account limit counts in: 90, 15m, 1h; default 1h (AUTHD_ACCOUNT_WINDOW).",
        transform: Options.parse)
    var accountWindow: Lifetime?

    @Option(
        help: Options.shown(
            "Failed logins per client address within the window before 429; 0 is off (AUTHD_ADDRESS_FAILURE_LIMIT).",
            default: ThrottleSettings().addressFailureLimit))
    var addressFailureLimit: Int?

    @Option(
        help: Options.shown(
            "POST /users and POST /reset_password per client address within the window; 0 is off (AUTHD_ADDRESS_REQUEST_LIMIT).",
            default: ThrottleSettings().addressRequestLimit))
    var addressRequestLimit: Int?

    @Option(help: "Window the throttle limits count in: 90, 15m, 1h (AUTHD_THROTTLE_WINDOW).", transform: Options.parse)
    var throttleWindow: Lifetime?

    @Option(
        help: "First block once a limit is reached; doubles per strike up to the window (AUTHD_THROTTLE_BACKOFF).",
        transform: Options.parse)
    var throttleBackoff: Lifetime?

    @Option(
        help:
            "Port of a separate listener for /metrics, /openapi.json and /healthz, which the main port serves only with --public-metrics (AUTHD_ADMIN_PORT)."
    )
    var adminPort: Int?

    @Option(
        help: Options.shown("Address of the admin listener (AUTHD_ADMIN_HOST).", default: ListenerSettings().adminHost))
    var adminHost: String?

    @Option(
        help:
            "A proxy whose X-Forwarded-For/Forwarded (and PROXY header) name the client: an address or CIDR block; repeatable or comma-separated (AUTHD_TRUSTED_PROXY). (default: none)",
        transform: Options.parse)
    var trustedProxy: [AddressList] = []

    @Option(
        help: Options.shown(
            "Clients exempt from per-client limits (per-email ones still apply): addresses or CIDR blocks, repeatable or comma-separated; replaces the default, none turns it off (AUTHD_THROTTLE_EXEMPT).",
            default: ClientSettings().throttleExempt.map(\.description).joined(separator: ",")),
        transform: Options.parse)
    var throttleExempt: [AddressList] = []

    @Option(
        help:
            "A site whose pages may send POST, PUT and DELETE requests here: an origin such as https://app.example.com, repeatable or comma-separated. Other sites' writes get 403; requests without Origin and Sec-Fetch-Site (curl, scripts) are not affected (AUTHD_ALLOWED_ORIGIN). (default: none, only the request's own Host)",
        transform: Options.parse)
    var allowedOrigin: [OriginList] = []

    @Option(
        help: Options.shown(
            "Where reset tokens go: response (in the answer, to whoever asks: the seed's way) or smtp://HOST:PORT (only by mail, through that relay) (AUTHD_RESET_DELIVERY).",
            default: AuthConfiguration().resetDelivery), transform: Options.parse)
    var resetDelivery: ResetDelivery?

    @Option(help: Options.shown("Sender of reset mails (AUTHD_MAIL_FROM).", default: ResetMailSettings().from))
    var mailFrom: String?

    @Option(
        help:
            "Link put in reset mails, with {token} and optionally {email}, each percent-encoded; without it the mail carries the token itself (AUTHD_RESET_LINK)."
    )
    var resetLink: String?

    @Option(
        help: Options.shown(
            "How long the relay may take to connect or answer one command: 90, 90s, 2m (AUTHD_SMTP_TIMEOUT).",
            default: "\(ResetMailSettings().timeout.milliseconds / 1000)s"), transform: Options.parse)
    var smtpTimeout: Lifetime?

    @Option(
        help:
            "The portal's public URL (http[s]://host[:port]): the gate's login links and the portal's redirects use it; plain http also lets a login return to http pages, for tests and development only (AUTHD_PORTAL_URL). (default: none: links relative to the host asked)",
        transform: Options.parse)
    var portalURL: PortalURL?

    @Option(
        help:
            "The session cookie's Domain, so one login serves every host under it; a login may return to it and the hosts under it (AUTHD_COOKIE_DOMAIN). (default: none: the cookie stays with the portal's host)",
        transform: Options.parse)
    var cookieDomain: HostName?

    @Option(
        help:
            "A host outside --cookie-domain a login may return to; repeatable or comma-separated (AUTHD_ALLOWED_REDIRECT_HOST). (default: none)",
        transform: Options.parse)
    var allowedRedirectHost: [HostList] = []

    @Option(
        help:
            "File of 32 random bytes sealing TOTP secrets and the reset tokens waiting in the mail outbox (AES-256-GCM), kept outside the database; make one with `head -c 32 /dev/urandom > FILE; chmod 600 FILE`. Without it no one can enrol a second factor (AUTHD_SECRET_KEY_FILE)."
    )
    var secretKeyFile: String?

    @Option(
        help:
            "The key file used before the current --secret-key-file: what it sealed still opens, while new values use the current key (AUTHD_PREVIOUS_SECRET_KEY_FILE)."
    )
    var previousSecretKeyFile: String?

    // Present or absent, so `false` here means "not given": the variable, then the default, decide.
    @Flag(help: "Do not write an access-log line per request (AUTHD_NO_ACCESS_LOG).")
    var noAccessLog = false

    @Flag(
        help:
            "Also serve /metrics and /openapi.json on the public port; the metrics page counts reset mails, so it tells registered emails from unknown ones (AUTHD_PUBLIC_METRICS)."
    )
    var publicMetrics = false

    @Flag(help: "Mark the session cookie Secure (only for HTTPS deployments) (AUTHD_COOKIE_SECURE).")
    var cookieSecure = false

    @Flag(
        help:
            "Store session ids and reset tokens as they are, not as SHA-256 digests, so the seed's service sharing the file reads authd's sessions; a backup then holds live sessions (AUTHD_STORE_PLAIN_TOKENS)."
    )
    var storePlainTokens = false

    @Flag(
        help:
            "Trusted proxies begin each connection with a PROXY protocol v1 or v2 header naming the client; from other peers such a header closes the connection (AUTHD_PROXY_PROTOCOL)."
    )
    var proxyProtocol = false

    /// `abstract` and the settings type's default, the way ArgumentParser shows a default of its own.
    private static func shown(_ abstract: String, default value: Any) -> ArgumentHelp {
        ArgumentHelp("\(abstract) (default: \(value))")
    }

    /// Reads a flag by the rule its variable is read by, and says what was expected when it cannot.
    private static func parse<Value: SettingValue>(_ text: String) throws -> Value {
        guard let value = Value(setting: text) else { throw ValidationError("'\(text)' is not \(Value.expected)") }
        return value
    }
}
