import Synchronization

/// The seed's Auth class with authd's policy, asynchronous: register, log in, find the session's
/// user, log out, issue and use reset tokens. Each operation applies the brute-force limits, sends
/// its audit records, and ends in one call of its completion: on the store's or a hash thread, or at
/// once on the caller's thread when the answer needs neither. Callers hop back to their own thread.
/// Thread-safe. Call `shutdown()` before the last reference goes: the threads do not stop by themselves.
public final class Auth: Sendable {
    typealias Finish<T> = @Sendable (Result<T, AuthError>) -> Void

    let bcryptCost: Int
    let store: any UserStore
    let hashes: HashPool
    let audit: any AuditSink
    let throttling: LoginThrottling
    let counters = AuthCounters()
    private let gate = OperationGate()
    private let isShutDown = Atomic<Bool>(false)
    let bcryptTime = BcryptTime()
    // Verified against when the email is unknown, so that such a login costs one bcrypt run as well.
    let dummySetting: String
    private let storesPlainTokens: Bool
    private let sessionLifetime: Lifetime
    private let resetTokenLifetime: Lifetime
    let clock: @Sendable () -> Int64
    // Sessions and tokens the seed's service made carry no creation time: they count as made when
    // authd started, so they expire one lifetime later instead of living forever.
    private let startedAt: Int64

    /// Opens or creates the SQLite database of `configuration` (never wiping it), then as below.
    /// `onStorageHealthChange` hears each change of the storage's health once (on the store thread).
    public convenience init(
        configuration: AuthConfiguration, audit: any AuditSink = DiscardingAuditSink(),
        onStorageHealthChange: @escaping @Sendable (_ from: StoreHealth, _ to: StoreHealth) -> Void = { _, _ in }
    ) throws {
        try configuration.validate()
        let store: SQLiteUserStore
        do {
            store = try SQLiteUserStore(
                path: configuration.databasePath, busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds,
                maxPages: configuration.databaseMaxPages, onHealthChange: onStorageHealthChange)
        } catch {
            throw AuthStartupError.database(error)
        }
        do {
            try self.init(store: store, configuration: configuration, audit: audit)
        } catch {
            store.close()
            throw error
        }
    }

    /// Serves from `store`, which Auth owns from now on (closed by `shutdown()`), and starts the
    /// hash threads. Throws AuthStartupError, whose description is a message for the operator.
    public init(store: any UserStore, configuration: AuthConfiguration, audit: any AuditSink = DiscardingAuditSink()) throws {
        try configuration.validate()
        bcryptCost = configuration.bcryptCost
        sessionLifetime = configuration.sessionLifetime
        storesPlainTokens = configuration.storesPlainTokens
        resetTokenLifetime = configuration.resetTokenLifetime
        clock = configuration.clock
        startedAt = configuration.clock()
        throttling = LoginThrottling(configuration.throttling, clock: configuration.clock)
        self.audit = audit
        self.store = store
        do {
            dummySetting = try PasswordHasher.makeSetting(cost: configuration.bcryptCost)
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
            throttleKeys: throttling.trackedKeys)
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
        store.close()
    }

    // MARK: shared by the operations (Auth+Operations.swift)

    func sessionHasExpired(_ user: User) -> Bool {
        sessionLifetime.hasExpired(createdAt: user.sessionCreatedAt ?? startedAt, now: clock())
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

    /// Sends one audit record, stamped now.
    func record(
        _ event: AuditEvent, userID: Int64? = nil, email: String? = nil, client: ClientIdentity, reason: String? = nil,
        count: Int? = nil
    ) {
        audit.record(AuditRecord(
            event: event, time: clock(), userID: userID, email: email, client: client, reason: reason, count: count))
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
    /// failures go to `finish`: `.overloaded` when the queue is full, or when `abandonment` was set
    /// before the job's turn came (nothing hashed: its answer would go nowhere).
    func hash<T>(
        _ password: String, for client: ClientIdentity, abandonment: Abandonment?, else finish: @escaping Finish<T>,
        then next: @escaping @Sendable (String) -> Void
    ) {
        let cost = bcryptCost
        let timing = bcryptTime
        let refuse: @Sendable () -> Void = { finish(.failure(.overloaded)) }
        let accepted = hashes.submit(for: client.throttleKey, abandonment: abandonment, dropped: refuse) { hasher in
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

    /// Verifies `password` against `hash` on a hash thread, in `client`'s turn, and passes the
    /// verdict to `next`; failures go to `finish`, as for `hash`.
    func verify<T>(
        _ password: String, against hash: String, for client: ClientIdentity, abandonment: Abandonment?,
        else finish: @escaping Finish<T>, then next: @escaping @Sendable (Bool) -> Void
    ) {
        let timing = bcryptTime
        let refuse: @Sendable () -> Void = { finish(.failure(.overloaded)) }
        let accepted = hashes.submit(for: client.throttleKey, abandonment: abandonment, dropped: refuse) { hasher in
            next(timing.measure { hasher.verify(password, against: hash) })
        }
        if !accepted { refuse() }
    }
}
