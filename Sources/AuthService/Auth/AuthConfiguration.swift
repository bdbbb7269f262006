#if canImport(Glibc)
    import Glibc
#endif

/// Settings for Auth. The one home of their defaults (as the seed, cost 12, and the design card) and
/// of their rules: authd's flags and `AUTHD_*` variables start from `AuthConfiguration()` and only
/// override what they set, and `validate()` is the only check.
public struct AuthConfiguration: Sendable {
    /// The SQLite file `Auth(configuration:)` opens, created when missing, never wiped; or a
    /// `postgresql://` URI, whose database must exist (authd creates its tables there).
    public var databasePath: String
    /// bcrypt cost for new hashes, 4...31.
    public var bcryptCost: Int
    /// Hash threads, at least 1.
    public var hashThreads: Int
    /// Hash jobs allowed to wait for a thread, at least 1, half of them (rounded up) from one
    /// client; one more is refused with `.overloaded`.
    public var hashQueueLimit: Int
    /// How long SQLite waits for a lock held by another connection before `.storageBusy`; 0 or more.
    public var busyTimeoutMilliseconds: Int
    /// A cap on the SQLite file's pages (`PRAGMA max_page_count`), nil for none: lets fault tests
    /// fill a database where they cannot mount a small file system.
    public var databaseMaxPages: Int? = nil
    /// How long a session lasts from log-in (absolute, not sliding); longer than 0.
    public var sessionLifetime: Lifetime
    /// How long a reset token stays usable after it was issued; longer than 0.
    public var resetTokenLifetime: Lifetime
    /// Sessions a user keeps at once (one per device), at least 1; a login past it ends the one
    /// used least recently. 1, the default, is the seed's rule: a login replaces the session before.
    public var sessionsPerUser = 1
    /// A session unused for this long ends (answered as an unknown one, and removed); nil, the
    /// default, for none.
    public var sessionIdleTimeout: Lifetime? = nil
    /// The brute-force limits.
    public var throttling: ThrottleSettings
    /// Store session ids and reset tokens as given instead of as SHA-256 digests, so that the seed's
    /// service, sharing the file, can read authd's sessions; a backup then holds live sessions.
    public var storesPlainTokens = false
    /// Stored hashes above this bcrypt cost are not verified (a cost-31 hash would hold a hash
    /// thread for days): such a login fails as a wrong password would, and is logged. 4...31, at
    /// least `bcryptCost`.
    public var bcryptMaximumCost: Int
    /// New passwords (registration, reset) shorter than this many characters (Unicode code points,
    /// as NIST SP 800-63B counts them, which asks for 8) are refused; 1, the default, takes any, as
    /// the seed. At most 72, bcrypt's limit in bytes.
    public var passwordMinimumLength: Int
    /// How reset tokens reach their owner: in the answer (the seed's way, the default) or by mail.
    public var resetDelivery = ResetDelivery.response
    /// The keys that seal secrets authd must read back (TOTP secrets, reset tokens waiting in the
    /// mail outbox), from `--secret-key-file`; nil when none is given: then no user can enrol a
    /// second factor, and the outbox keeps tokens as they are.
    public var sealingKeys: SealingKeyring? = nil
    /// The reset mail's sender, link and relay timeout, used with `.smtp` delivery.
    public var resetMail = ResetMailSettings()
    /// When a deferred reset mail is tried again; tests shorten it.
    var mailRetrySchedule = RetrySchedule()
    /// Unix milliseconds now; tests pass their own to step over lifetimes without waiting.
    public var clock: @Sendable () -> Int64

    /// A configuration; every argument has the documented default.
    public init(
        databasePath: String = "authd.db",
        bcryptCost: Int = 12,
        hashThreads: Int = AuthConfiguration.onlineCores,
        hashQueueLimit: Int = 1024,
        busyTimeoutMilliseconds: Int = 5000,
        sessionLifetime: Lifetime = Lifetime(seconds: 7 * 86_400),
        resetTokenLifetime: Lifetime = Lifetime(seconds: 15 * 60),
        throttling: ThrottleSettings = ThrottleSettings(),
        bcryptMaximumCost: Int = 16,
        passwordMinimumLength: Int = 1,
        clock: @escaping @Sendable () -> Int64 = WallClock.milliseconds
    ) {
        self.databasePath = databasePath
        self.bcryptCost = bcryptCost
        self.hashThreads = hashThreads
        self.hashQueueLimit = hashQueueLimit
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.sessionLifetime = sessionLifetime
        self.resetTokenLifetime = resetTokenLifetime
        self.throttling = throttling
        self.bcryptMaximumCost = bcryptMaximumCost
        self.passwordMinimumLength = passwordMinimumLength
        self.clock = clock
    }

    /// The number of cores online, the default hash thread count.
    public static var onlineCores: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Throws the first setting that breaks its rule, naming it and its value; `Auth.init` calls it,
    /// and authd calls it before it opens anything.
    public func validate() throws(AuthStartupError) {
        guard PasswordHasher.costs.contains(bcryptCost) else { throw .bcryptCostOutOfRange(bcryptCost) }
        guard hashThreads >= 1 else { throw .hashThreadsOutOfRange(hashThreads) }
        // Every job reaches a hash thread through this queue, so a limit of 0 would refuse every
        // registration, log-in and password change with 503, even with every thread idle.
        guard hashQueueLimit >= 1 else { throw .hashQueueLimitOutOfRange(hashQueueLimit) }
        guard busyTimeoutMilliseconds >= 0 else { throw .busyTimeoutOutOfRange(busyTimeoutMilliseconds) }
        guard sessionLifetime.milliseconds > 0 else { throw .sessionLifetimeOutOfRange(sessionLifetime) }
        guard resetTokenLifetime.milliseconds > 0 else { throw .resetTokenLifetimeOutOfRange(resetTokenLifetime) }
        guard sessionsPerUser >= 1 else { throw .sessionsPerUserOutOfRange(sessionsPerUser) }
        if let idle = sessionIdleTimeout, idle.milliseconds <= 0 { throw .sessionIdleTimeoutOutOfRange(idle) }
        try throttling.validate()
        // Below the cost of new hashes, authd would refuse the hashes it writes.
        guard PasswordHasher.costs.contains(bcryptMaximumCost), bcryptMaximumCost >= bcryptCost else {
            throw .bcryptMaximumCostOutOfRange(bcryptMaximumCost, cost: bcryptCost)
        }
        guard (1...PasswordHasher.maximumPasswordBytes).contains(passwordMinimumLength) else {
            throw .passwordMinimumLengthOutOfRange(passwordMinimumLength)
        }
        try resetMail.validate()
    }
}
