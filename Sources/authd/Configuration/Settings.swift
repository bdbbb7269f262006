import AuthService

/// Everything authd runs with. Each setting comes from its flag, else its `AUTHD_*` variable, else
/// the default of the type that owns it; those types' `validate()` decide what is accepted.
struct Settings: Sendable {
    var auth = AuthConfiguration()
    var server = ServerSettings()
    var listener = ListenerSettings()
    var log = LogSettings()
    var cookie = SessionCookie()
    var crossSite = CrossSitePolicy()
    var gate = GateConfiguration()

    /// Reads `options` over `environment` over the defaults, then validates. Throws the first
    /// variable that cannot be read (`ConfigurationError`) or setting that breaks its rule
    /// (`ConfigurationError`, `AuthStartupError`), each naming the setting and its value.
    init(_ options: Options, environment: Environment) throws {
        /// The flag's value, else the variable's; nil keeps the type's default.
        func given<Value: SettingValue>(_ flag: Value?, _ variable: String) throws -> Value? {
            try flag ?? environment.value(variable)
        }
        /// As `given`, for the repeatable address flags: every flag's list joined, else the variable's.
        func givenAddresses(_ flags: [AddressList], _ variable: String) throws -> [AddressRange]? {
            if !flags.isEmpty { return flags.flatMap(\.ranges) }
            let list: AddressList? = try environment.value(variable)
            return list?.ranges
        }
        /// As `given`, for the flags in seconds of the settings kept in milliseconds.
        func givenMilliseconds(_ flag: Int?, _ variable: String, _ name: String) throws -> Int? {
            guard let seconds = try given(flag, variable) else { return nil }
            let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
            guard !overflow else {
                throw ConfigurationError.invalidSetting(name, value: "\(seconds) s", rule: "is too long")
            }
            return milliseconds
        }

        listener.host = try given(options.host, "AUTHD_HOST") ?? listener.host
        listener.port = try given(options.port, "AUTHD_PORT") ?? listener.port
        listener.adminHost = try given(options.adminHost, "AUTHD_ADMIN_HOST") ?? listener.adminHost
        listener.adminPort = try given(options.adminPort, "AUTHD_ADMIN_PORT") ?? listener.adminPort

        auth.databasePath = try given(options.database, "AUTHD_DATABASE") ?? auth.databasePath
        auth.bcryptCost = try given(options.bcryptCost, "AUTHD_BCRYPT_COST") ?? auth.bcryptCost
        auth.hashThreads = try given(options.hashThreads, "AUTHD_HASH_THREADS") ?? auth.hashThreads
        auth.hashQueueLimit = try given(options.hashQueue, "AUTHD_HASH_QUEUE") ?? auth.hashQueueLimit
        auth.bcryptMaximumCost = try given(options.bcryptMaxCost, "AUTHD_BCRYPT_MAX_COST") ?? auth.bcryptMaximumCost
        auth.passwordMinimumLength =
            try given(options.passwordMinLength, "AUTHD_PASSWORD_MIN_LENGTH") ?? auth.passwordMinimumLength
        auth.busyTimeoutMilliseconds =
            try given(options.busyTimeoutMilliseconds, "AUTHD_BUSY_TIMEOUT_MS") ?? auth.busyTimeoutMilliseconds
        auth.databaseMaxPages = options.maxDatabasePages ?? auth.databaseMaxPages
        auth.sessionLifetime = try given(options.sessionTTL, "AUTHD_SESSION_TTL") ?? auth.sessionLifetime
        auth.resetTokenLifetime = try given(options.resetTokenTTL, "AUTHD_RESET_TOKEN_TTL") ?? auth.resetTokenLifetime
        auth.sessionsPerUser = try given(options.sessionsPerUser, "AUTHD_SESSIONS_PER_USER") ?? auth.sessionsPerUser
        auth.sessionIdleTimeout =
            try given(options.sessionIdleTimeout, "AUTHD_SESSION_IDLE_TIMEOUT") ?? auth.sessionIdleTimeout

        auth.resetDelivery = try given(options.resetDelivery, "AUTHD_RESET_DELIVERY") ?? auth.resetDelivery
        auth.resetMail.from = try given(options.mailFrom, "AUTHD_MAIL_FROM") ?? auth.resetMail.from
        auth.resetMail.linkTemplate = try given(options.resetLink, "AUTHD_RESET_LINK") ?? auth.resetMail.linkTemplate
        auth.resetMail.timeout = try given(options.smtpTimeout, "AUTHD_SMTP_TIMEOUT") ?? auth.resetMail.timeout

        auth.sealingKeys = try KeyFiles.keyring(
            secretKeyFile: options.secretKeyFile, previousSecretKeyFile: options.previousSecretKeyFile,
            environment: environment)

        var throttling = auth.throttling
        throttling.emailFailureLimit =
            try given(options.loginFailureLimit, "AUTHD_LOGIN_FAILURE_LIMIT") ?? throttling.emailFailureLimit
        throttling.addressFailureLimit =
            try given(options.addressFailureLimit, "AUTHD_ADDRESS_FAILURE_LIMIT") ?? throttling.addressFailureLimit
        throttling.addressRequestLimit =
            try given(options.addressRequestLimit, "AUTHD_ADDRESS_REQUEST_LIMIT") ?? throttling.addressRequestLimit
        throttling.accountFailureLimit =
            try given(options.accountFailureLimit, "AUTHD_ACCOUNT_FAILURE_LIMIT") ?? throttling.accountFailureLimit
        throttling.accountWindow = try given(options.accountWindow, "AUTHD_ACCOUNT_WINDOW") ?? throttling.accountWindow
        throttling.window = try given(options.throttleWindow, "AUTHD_THROTTLE_WINDOW") ?? throttling.window
        throttling.backoff = try given(options.throttleBackoff, "AUTHD_THROTTLE_BACKOFF") ?? throttling.backoff
        auth.throttling = throttling

        server.limits.maxBodyBytes = try given(options.maxBody, "AUTHD_MAX_BODY") ?? server.limits.maxBodyBytes
        server.maxConnections = try given(options.maxConnections, "AUTHD_MAX_CONNECTIONS") ?? server.maxConnections
        server.maxConnectionsPerClient =
            try given(options.maxConnectionsPerClient, "AUTHD_MAX_CONNECTIONS_PER_CLIENT")
            ?? server.maxConnectionsPerClient
        if let timeout = try givenMilliseconds(options.requestTimeout, "AUTHD_REQUEST_TIMEOUT", "--request-timeout") {
            server.requestTimeoutMilliseconds = Int64(timeout)
        }
        if let timeout = try givenMilliseconds(options.idleTimeout, "AUTHD_IDLE_TIMEOUT", "--idle-timeout") {
            server.idleTimeoutMilliseconds = Int64(timeout)
        }
        if let timeout = try givenMilliseconds(options.writeTimeout, "AUTHD_WRITE_TIMEOUT", "--write-timeout") {
            server.writeTimeoutMilliseconds = Int64(timeout)
        }
        server.shutdownGraceMilliseconds =
            try givenMilliseconds(options.shutdownGrace, "AUTHD_SHUTDOWN_GRACE", "--shutdown-grace")
            ?? server.shutdownGraceMilliseconds
        var clients = server.clients
        clients.trustedProxies =
            try givenAddresses(options.trustedProxy, "AUTHD_TRUSTED_PROXY") ?? clients.trustedProxies
        clients.throttleExempt =
            try givenAddresses(options.throttleExempt, "AUTHD_THROTTLE_EXEMPT") ?? clients.throttleExempt
        clients.proxyProtocol =
            try given(options.proxyProtocol ? true : nil, "AUTHD_PROXY_PROTOCOL") ?? clients.proxyProtocol
        server.clients = clients

        log.level = try given(options.logLevel, "AUTHD_LOG_LEVEL") ?? log.level
        // These flags can only say yes; their variables can say either.
        if let off = try given(options.noAccessLog ? true : nil, "AUTHD_NO_ACCESS_LOG") { log.accessLog = !off }
        gate.portalURL = try given(options.portalURL, "AUTHD_PORTAL_URL") ?? gate.portalURL
        gate.cookieDomain = try given(options.cookieDomain, "AUTHD_COOKIE_DOMAIN") ?? gate.cookieDomain
        if !options.allowedRedirectHost.isEmpty {
            gate.allowedRedirectHosts = options.allowedRedirectHost.flatMap(\.hosts)
        } else if let list: HostList = try environment.value("AUTHD_ALLOWED_REDIRECT_HOST") {
            gate.allowedRedirectHosts = list.hosts
        }
        cookie.secure = try given(options.cookieSecure ? true : nil, "AUTHD_COOKIE_SECURE") ?? cookie.secure
        let origins: OriginList? = try options.allowedOrigin.isEmpty ? environment.value("AUTHD_ALLOWED_ORIGIN") : nil
        crossSite.allowedOrigins = options.allowedOrigin.flatMap(\.origins) + (origins?.origins ?? [])
        server.publicMetrics =
            try given(options.publicMetrics ? true : nil, "AUTHD_PUBLIC_METRICS") ?? server.publicMetrics
        auth.storesPlainTokens =
            try given(options.storePlainTokens ? true : nil, "AUTHD_STORE_PLAIN_TOKENS") ?? auth.storesPlainTokens

        try validate()
    }

    /// Throws the first setting that breaks its rule; `Auth` checks its own again when it starts.
    func validate() throws {
        try listener.validate()
        try auth.validate()
        try server.validate()
    }
}
