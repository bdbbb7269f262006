import Logging
import Synchronization

/// The seed's Auth class with authd's policy, asynchronous: register, log in, find the session's
/// user, log out, issue and use reset tokens. Each operation applies the brute-force limits, sends
/// its audit records, and ends in one call of its completion: on the store's or a hash thread, or at
/// once on the caller's thread when the answer needs neither. Callers hop back to their own thread.
/// Thread-safe. Call `shutdown()` before the last reference goes: the threads do not stop by themselves.
public final class Auth: Sendable {
    typealias Finish<T> = @Sendable (Result<T, AuthError>) -> Void

    let bcryptCost: Int
    let bcryptMaximumCost: Int
    let passwordMinimumLength: Int
    let store: any UserStore
    let hashes: HashPool
    let audit: any AuditSink
    let throttling: LoginThrottling
    let counters = AuthCounters()
    /// Operations in flight; `admit` counts them (the session lookup does so itself, see there).
    let gate = OperationGate()
    private let isShutDown = Atomic<Bool>(false)
    let bcryptTime = BcryptTime()
    private let storesPlainTokens: Bool
    // What an unknown email is verified against: one bcrypt run at the cost stored hashes typically have.
    let storedCosts: StoredHashCosts
    // Operator lines of the domain (a stored hash too costly to verify).
    let logger: Logger
    let sessionLifetime: Lifetime
    /// Sessions a user keeps at once (see `AuthConfiguration.sessionsPerUser`).
    let sessionsPerUser: Int
    /// Milliseconds of disuse after which a session ends; nil for never.
    let idleTimeout: Int64?
    /// A session's last use is written when the stored one is this many milliseconds old or more:
    /// at most once per step per session, never on every request.
    let activityStep: Int64
    /// The last-use writes sent within the step, so a busy session gets one, not one per lookup.
    let touches: SessionTouches
    let resetTokenLifetime: Lifetime
    /// The keys sealing what authd must read back (`--secret-key-file`); nil when none is given.
    let sealingKeys: SealingKeyring?
    /// The delivery thread of reset mails; nil when tokens go in the answer (the seed's way).
    let mailer: ResetMailer?
    /// The mails one account may be sent.
    let resetMailLimit: ResetMailLimit
    let clock: @Sendable () -> Int64
    // Sessions and tokens the seed's service made carry no creation time: they count as made when
    // authd started, so they expire one lifetime later instead of living forever.
    let startedAt: Int64

    /// Opens or creates the database of `configuration` (never wiping it): PostgreSQL for a
    /// `postgresql://` URI, else the SQLite file; then as below. `onStorageHealthChange` hears each
    /// change of the storage's health once (on the store thread).
    public convenience init(
        configuration: AuthConfiguration, audit: any AuditSink = DiscardingAuditSink(),
        logger: Logger = Logger(label: "authd"),
        onStorageHealthChange: @escaping @Sendable (_ from: StoreHealth, _ to: StoreHealth) -> Void = { _, _ in }
    ) throws {
        try configuration.validate()
        let store: any UserStore
        do {
            if PostgreSQLUserStore.handles(configuration.databasePath) {
                store = try PostgreSQLUserStore(
                    location: configuration.databasePath, onHealthChange: onStorageHealthChange)
            } else {
                store = try SQLiteUserStore(
                    path: configuration.databasePath, busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds,
                    maxPages: configuration.databaseMaxPages, onHealthChange: onStorageHealthChange)
            }
        } catch {
            throw AuthStartupError.database(error)
        }
        do {
            try self.init(store: store, configuration: configuration, audit: audit, logger: logger)
        } catch {
            store.close()
            throw error
        }
    }

    /// Serves from `store`, which Auth owns from now on (closed by `shutdown()`), and starts the
    /// hash threads. Throws AuthStartupError, whose description is a message for the operator.
    public init(
        store: any UserStore, configuration: AuthConfiguration, audit: any AuditSink = DiscardingAuditSink(),
        logger: Logger = Logger(label: "authd")
    ) throws {
        try configuration.validate()
        bcryptCost = configuration.bcryptCost
        bcryptMaximumCost = configuration.bcryptMaximumCost
        passwordMinimumLength = configuration.passwordMinimumLength
        self.logger = logger
        sessionLifetime = configuration.sessionLifetime
        sessionsPerUser = configuration.sessionsPerUser
        idleTimeout = configuration.sessionIdleTimeout?.milliseconds
        activityStep = Self.activityStep(idleTimeout: configuration.sessionIdleTimeout)
        touches = SessionTouches(step: activityStep)
        storesPlainTokens = configuration.storesPlainTokens
        resetTokenLifetime = configuration.resetTokenLifetime
        clock = configuration.clock
        sealingKeys = configuration.sealingKeys
        startedAt = configuration.clock()
        throttling = LoginThrottling(configuration.throttling, clock: configuration.clock)
        self.audit = audit
        self.store = store
        resetMailLimit = configuration.resetMail.accountLimit
        try Self.checkSealingKeys(of: store, against: configuration.sealingKeys)
        do {
            storedCosts = try StoredHashCosts(assuming: configuration.bcryptCost)
        } catch PasswordHasherError.cryptFailed(let code) {
            throw AuthStartupError.bcryptUnavailable(code)
        } catch {
            throw AuthStartupError.bcryptCostOutOfRange(configuration.bcryptCost)
        }
        do {
            hashes = try HashPool(threadCount: configuration.hashThreads, queueLimit: configuration.hashQueueLimit)
        } catch {
            throw AuthStartupError.threadStart(name: error.name, code: error.code)
        }
        switch configuration.resetDelivery {
        case .response:
            mailer = nil
        case let .smtp(host, port):
            let client = SMTPClient(
                host: host, port: port, timeoutMilliseconds: Int(configuration.resetMail.timeout.milliseconds),
                helloName: ResetMailer.helloName())
            do {
                mailer = try ResetMailer(
                    ResetMailer.Context(
                        client: client, settings: configuration.resetMail, store: store, audit: audit, logger: logger,
                        clock: configuration.clock, schedule: configuration.mailRetrySchedule,
                        keys: configuration.sealingKeys))
            } catch {
                hashes.shutdown()
                throw AuthStartupError.threadStart(name: error.name, code: error.code)
            }
        }
        // The costs in use before the first login: the store runs this before any later lookup.
        store.newestPasswordHashes(limit: storedCosts.window) { [storedCosts, bcryptMaximumCost] result in
            guard case let .success(hashes) = result else { return }
            for cost in hashes.compactMap(PasswordHasher.cost(of:)) where cost <= bcryptMaximumCost {
                storedCosts.note(cost)
            }
        }
    }

    /// Queue depths, busy threads and totals for metrics (thread-safe snapshot).
    public var stats: AuthStats {
        AuthStats(
            storeQueueDepth: store.queueDepth,
            hashQueueDepth: hashes.waiting,
            busyHashThreads: hashes.running,
            hashThreads: hashes.threadCount,
            operationsInFlight: gate.count,
            hashJobsAbandoned: hashes.abandoned,
            bcryptRuns: bcryptTime.runs.load(ordering: .relaxed),
            bcryptNanoseconds: bcryptTime.nanoseconds.load(ordering: .relaxed),
            loginsFailed: counters.loginsFailed.load(ordering: .relaxed),
            loginsThrottled: counters.loginsThrottled.load(ordering: .relaxed),
            requestsThrottled: counters.requestsThrottled.load(ordering: .relaxed),
            throttleKeys: throttling.trackedKeys,
            outboxDepth: mailer?.counters.depth.load(ordering: .relaxed) ?? 0,
            resetMailsSent: mailer?.counters.sent.load(ordering: .relaxed) ?? 0,
            resetMailsRetried: mailer?.counters.retried.load(ordering: .relaxed) ?? 0,
            resetMailsGivenUp: mailer?.counters.givenUp.load(ordering: .relaxed) ?? 0)
    }

    /// Makes the calling thread's store operations wake the store's thread only when the returned
    /// closure is called, which the caller must do after each burst of requests (see
    /// `UserStore.holdWakeups`); nil when the store does not need it.
    public func holdStoreWakeups() -> (@Sendable () -> Void)? {
        store.holdWakeups()
    }

    /// The storage's health and fault totals, as last seen (never waits).
    public var storageStatus: StoreStatus { store.status }

    /// Checks in the background that the storage still answers (for readiness checks).
    public func probeStorage() {
        store.probe()
    }

    /// Finishes queued work, closes the store cleanly, stops threads. Blocks.
    /// Operations started afterwards fail with `.overloaded`. Later calls return at once.
    /// Call it from the daemon's own thread, never from a completion (it waits for completions to end).
    public func shutdown() {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // Operations hop between the pools, so both stay up until every operation has completed.
        gate.closeAndWait()
        hashes.shutdown()
        mailer?.shutdown()
        store.close()
    }

    // MARK: shared by the operations (Auth+Operations.swift)

    /// Whether a session made at `createdAt` (nil: by the seed's service) is past its lifetime.
    func sessionHasExpired(createdAt: Int64?) -> Bool {
        sessionLifetime.hasExpired(createdAt: createdAt ?? startedAt, now: clock())
    }

    func resetTokenHasExpired(_ user: User) -> Bool {
        resetTokenLifetime.hasExpired(createdAt: user.resetTokenCreatedAt ?? startedAt, now: clock())
    }

    /// A session id or reset token as the store keeps it: its SHA-256 digest, or the value itself
    /// with `storesPlainTokens` (for an operator running the seed's service on the same file).
    func storedForm(of secret: String) -> String {
        storesPlainTokens ? secret : SecretDigest.sha256Hex(secret)
    }

    /// How to look a secret up: its stored form, and a raw seed-made row when it has a seed's shape.
    func secretKey(for secret: String) -> SecretKey {
        if storesPlainTokens { return SecretKey(stored: secret) }
        return SecretKey(
            stored: SecretDigest.sha256Hex(secret), legacy: SecretDigest.looksLikeSeedSecret(secret) ? secret : nil)
    }

    /// The key of the session id `bytes`, as `secretKey(for:)` makes it; the connection remembers
    /// its last one, so a keep-alive client sending the same cookie again costs no digest.
    func sessionKey(_ bytes: UnsafeRawBufferPointer, on connection: ClientConnection?) -> SecretKey {
        if let known = connection?.rememberedKey(forSessionID: bytes, plain: storesPlainTokens) { return known }
        let sessionID = String(decoding: bytes, as: UTF8.self)
        let key = secretKey(for: sessionID)
        connection?.remember(key, forSessionID: sessionID, plain: storesPlainTokens)
        return key
    }

    /// Sends one audit record, stamped now.
    func record(
        _ event: AuditEvent, userID: Int64? = nil, email: String? = nil, client: ClientIdentity, reason: String? = nil,
        session: SessionHandle? = nil, count: Int? = nil
    ) {
        audit.record(
            AuditRecord(
                event: event, time: clock(), userID: userID, email: email, client: client, reason: reason,
                session: session, count: count))
    }

    /// Sends `session_ended` for session `handle` (none for a session without one) of user `userID`.
    func recordEnd(_ handle: SessionHandle?, userID: Int64, _ why: SessionEnd, client: ClientIdentity) {
        guard let handle else { return }
        record(.sessionEnded, userID: userID, client: client, reason: why.rawValue, session: handle)
    }

    /// How often a session's last use may be written: every minute, or a quarter of the idle
    /// timeout when that is shorter, so a session in use never looks idle by more than a quarter.
    static func activityStep(idleTimeout: Lifetime?) -> Int64 {
        min(60_000, max(1, (idleTimeout?.milliseconds ?? .max) / 4))
    }

    /// Counts the operation in flight and wraps its completion to uncount it; nil (answered) after shutdown.
    func admit<T>(_ completion: @escaping Finish<T>) -> Finish<T>? {
        guard gate.enter() else {
            completion(.failure(.overloaded))
            return nil
        }
        let gate = self.gate
        return { result in
            completion(result)
            gate.leave()
        }
    }

    /// The normalized form of the email `given`; nil once `completion` has been answered `.invalidEmail`.
    /// Called before `admit`: a malformed request is refused before it counts or reaches a throttle.
    func normalizedEmail<T>(_ given: String, else completion: Finish<T>) -> String? {
        do {
            return try EmailAddress(given).normalized
        } catch {
            completion(.failure(.invalidEmail(error)))
            return nil
        }
    }

    /// Why a new password (registration, reset), in the form it is hashed in (`PasswordForm.new`),
    /// is refused; nil when it is acceptable.
    func refusal(ofNewPassword password: String) -> AuthError? {
        if password.utf8.count > PasswordHasher.maximumPasswordBytes { return .passwordTooLong }
        if password.unicodeScalars.count < passwordMinimumLength {
            return .passwordTooShort(minimum: passwordMinimumLength)
        }
        return nil
    }

    /// The user a normalized email names: the one with exactly this email, else the one stored
    /// email equal to it ignoring ASCII case; nil when none (or several differ only by case and
    /// none is exact, as a seed-made file allows). Stored rows keep their own spelling.
    func findUser<T>(
        named email: String, else finish: @escaping Finish<T>, then next: @escaping @Sendable (User?) -> Void
    ) {
        store.findUser(
            email: email,
            completion: then(finish) { exact in
                if let exact { return next(exact) }
                self.store.findUser(emailIgnoringCase: email, completion: self.then(finish, next))
            })
    }

    /// Passes a store result's value to `next`; failures go to `finish`.
    func then<Value, T>(
        _ finish: @escaping Finish<T>, _ next: @escaping @Sendable (Value) -> Void
    ) -> StoreCompletion<Value> {
        { result in
            switch result {
            case let .success(value): next(value)
            case let .failure(error): finish(.failure(AuthError(error)))
            }
        }
    }

    /// Hashes `password` on a hash thread, in `client`'s turn, and passes the hash to `next`;
    /// failures go to `finish`: `.overloaded` when the queue is full, or when `connection` closed
    /// before the job's turn came (nothing hashed: its answer would go nowhere).
    func hash<T>(
        _ password: String, for client: ClientIdentity, connection: ClientConnection?, else finish: @escaping Finish<T>,
        then next: @escaping @Sendable (String) -> Void
    ) {
        let cost = bcryptCost
        let timing = bcryptTime
        let refuse: @Sendable () -> Void = { finish(.failure(.overloaded)) }
        let accepted = hashes.submit(for: client.throttleKey, connection: connection, dropped: refuse) { hasher in
            do {
                let hashed = try timing.measure { try hasher.hash(password, cost: cost) }
                next(hashed)
            } catch PasswordHasherError.passwordTooLong {
                finish(.failure(.passwordTooLong))
            } catch {
                finish(.failure(.internalFailure("cannot hash password: \(error)")))
            }
        }
        if !accepted { refuse() }
    }

    /// What a verification found: whether the password matches, and its new hash when one was asked for.
    struct Verification: Sendable {
        var matches: Bool
        /// The password hashed at the `rehashingAt` cost, when it matched and hashing succeeded.
        var rehashed: String?
    }

    /// Verifies `password` against `hash` on a hash thread, in `client`'s turn, and passes the
    /// verdict to `next`; failures go to `finish`, as for `hash`. Each form `PasswordForm.tried`
    /// gives is tried in turn, in the same job, until one matches (two bcrypt runs only for a password
    /// not typed in NFC). With `rehashingAt`, a matching password is also hashed at that cost in the
    /// same job (Django's `check_password` with a setter), on the hasher already in hand rather than
    /// queued again.
    func verify<T>(
        _ password: String, against hash: String, rehashingAt cost: Int? = nil, for client: ClientIdentity,
        connection: ClientConnection?, else finish: @escaping Finish<T>,
        then next: @escaping @Sendable (Verification) -> Void
    ) {
        let timing = bcryptTime
        let refuse: @Sendable () -> Void = { finish(.failure(.overloaded)) }
        let accepted = hashes.submit(for: client.throttleKey, connection: connection, dropped: refuse) { hasher in
            let matching = PasswordForm.tried(password).first { form in
                timing.measure { hasher.verify(form, against: hash) }
            }
            let rehashed = matching.flatMap { form in
                cost.flatMap { cost in try? timing.measure { try hasher.hash(form, cost: cost) } }
            }
            next(Verification(matches: matching != nil, rehashed: rehashed))
        }
        if !accepted { refuse() }
    }
}
