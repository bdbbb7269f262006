import Synchronization

/// The seed's Auth class, asynchronous. Each operation chains the store thread (lookups, writes) and the
/// hash pool (bcrypt) and ends in one call of its completion: on the store or a hash thread, or at once
/// on the caller's thread when the answer needs neither. Callers hop back to their own thread.
/// Thread-safe. Call `shutdown()` before the last reference goes: the threads do not stop by themselves.
public final class Auth: Sendable {
    private typealias Finish<T> = @Sendable (Result<T, AuthError>) -> Void

    private let bcryptCost: Int
    private let store: StoreQueue
    private let hashes: HashPool
    private let gate = OperationGate()
    private let isShutDown = Atomic<Bool>(false)
    private let bcryptTime = BcryptTime()
    // Verified against when the email is unknown, so that such a login costs one bcrypt run as well.
    private let dummySetting: String
    private let sessionLifetime: Lifetime
    private let resetTokenLifetime: Lifetime
    private let clock: @Sendable () -> Int64
    // Sessions and tokens the seed's service made carry no creation time: they count as made when
    // authd started, so they expire one lifetime later instead of living forever.
    private let startedAt: Int64

    /// Opens or creates the database (never wiping it) and starts the store and hash threads.
    /// Throws AuthStartupError, whose description is a message for the operator.
    public init(configuration: AuthConfiguration) throws {
        try configuration.validate()
        bcryptCost = configuration.bcryptCost
        sessionLifetime = configuration.sessionLifetime
        resetTokenLifetime = configuration.resetTokenLifetime
        clock = configuration.clock
        startedAt = configuration.clock()
        do {
            dummySetting = try PasswordHasher.makeSetting(cost: configuration.bcryptCost)
        } catch PasswordHasherError.cryptFailed(let code) {
            throw AuthStartupError.bcryptUnavailable(code)
        } catch {
            throw AuthStartupError.bcryptCostOutOfRange(configuration.bcryptCost)
        }
        let userStore: UserStore
        do {
            userStore = try UserStore(
                path: configuration.databasePath, busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds)
        } catch {
            throw AuthStartupError.database(error)
        }
        do {
            hashes = try HashPool(threadCount: configuration.hashThreads, queueLimit: configuration.hashQueueLimit)
        } catch {
            throw AuthStartupError.threadStart(name: error.name, code: error.code)
        }
        do {
            store = try StoreQueue(store: userStore)
        } catch {
            hashes.shutdown()
            throw AuthStartupError.threadStart(name: error.name, code: error.code)
        }
    }

    /// Creates a user with a bcrypt hash of `password`; `.emailAlreadyRegistered` when the email is taken.
    public func register(
        email: String, password: String, completion: @escaping @Sendable (Result<User, AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        guard password.utf8.count <= PasswordHasher.maximumPasswordBytes else {
            return finish(.failure(.passwordTooLong))
        }
        // Looking first spares a bcrypt run for a taken email; the UNIQUE index still decides races.
        onStore(.read, { try $0.findUser(where: [(.email, email)]) }, else: finish) { existing in
            guard existing == nil else { return finish(.failure(.emailAlreadyRegistered)) }
            self.hash(password, else: finish) { hashed in
                self.onStore(.write, { try $0.add(email: email, hashedPassword: hashed) }, else: finish) { user in
                    finish(.success(user))
                }
            }
        }
    }

    /// valid_login + create_session: verifies the password, stores a fresh lower-case uuid4.
    public func login(
        email: String, password: String,
        completion: @escaping @Sendable (Result<(user: User, sessionID: String), AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        onStore(.read, { try $0.findUser(where: [(.email, email)]) }, else: finish) { found in
            // An unknown email still pays one full bcrypt run: the timing must not reveal who is registered.
            self.verify(password, against: found?.hashedPassword ?? self.dummySetting, else: finish) { matches in
                guard let user = found, matches else { return finish(.failure(.invalidCredentials)) }
                let sessionID = UUID4.make()
                let now = self.clock()
                let changes: [(UserColumn, String?)] = [(.sessionID, sessionID), (.sessionCreatedAt, String(now))]
                self.onStore(.write, { try $0.updateUser(id: user.id, set: changes) }, else: finish) {
                    var loggedIn = user
                    loggedIn.sessionID = sessionID
                    loggedIn.sessionCreatedAt = now
                    finish(.success((user: loggedIn, sessionID: sessionID)))
                }
            }
        }
    }

    /// The user whose session id this is; `.unknownSession` for nil, empty or unknown,
    /// `.sessionExpired` (after clearing it) when past the session lifetime.
    public func user(forSession sessionID: String?, completion: @escaping @Sendable (Result<User, AuthError>) -> Void) {
        guard let finish = admit(completion) else { return }
        guard let sessionID, !sessionID.isEmpty else { return finish(.failure(.unknownSession)) }
        onStore(.read, { try $0.findUser(where: [(.sessionID, sessionID)]) }, else: finish) { found in
            guard let user = found else { return finish(.failure(.unknownSession)) }
            guard self.sessionHasExpired(user) else { return finish(.success(user)) }
            // Only an expired session costs a write; valid reads never do.
            self.onStore(.write, { try Self.endSession(sessionID, of: user.id, in: $0) }, else: finish) {
                finish(.failure(.sessionExpired(userID: user.id)))
            }
        }
    }

    /// Finds the user by session id and sets its session_id to NULL.
    public func logout(sessionID: String?, completion: @escaping @Sendable (Result<User, AuthError>) -> Void) {
        guard let finish = admit(completion) else { return }
        guard let sessionID, !sessionID.isEmpty else { return finish(.failure(.unknownSession)) }
        onStore(.write, { (store: UserStore) throws -> User? in
            guard let user = try store.findUser(where: [(.sessionID, sessionID)]) else { return nil }
            try Self.endSession(sessionID, of: user.id, in: store)
            return user
        }, else: finish) { found in
            guard var user = found else { return finish(.failure(.unknownSession)) }
            if self.sessionHasExpired(user) { return finish(.failure(.sessionExpired(userID: user.id))) }
            user.sessionID = nil
            user.sessionCreatedAt = nil
            finish(.success(user))
        }
    }

    /// Stores a fresh uuid4 as the user's reset token and returns it; `.unknownEmail` when not registered.
    public func resetToken(email: String, completion: @escaping @Sendable (Result<String, AuthError>) -> Void) {
        guard let finish = admit(completion) else { return }
        onStore(.write, { (store: UserStore) throws -> String? in
            guard let user = try store.findUser(where: [(.email, email)]) else { return nil }
            let token = UUID4.make()
            try store.updateUser(id: user.id, set: [(.resetToken, token), (.resetTokenCreatedAt, String(self.clock()))])
            return token
        }, else: finish) { token in
            finish(token.map { .success($0) } ?? .failure(.unknownEmail))
        }
    }

    /// Replaces the password of the token's owner, who must have `email`, clears the token (single use)
    /// and ends the user's session; `.resetTokenExpired` (after clearing it) when past the token lifetime.
    public func updatePassword(
        email: String, resetToken: String?, newPassword: String,
        completion: @escaping @Sendable (Result<User, AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        guard let token = resetToken, !token.isEmpty else { return finish(.failure(.invalidResetToken)) }
        guard newPassword.utf8.count <= PasswordHasher.maximumPasswordBytes else {
            return finish(.failure(.passwordTooLong))
        }
        // SQL compares the email byte for byte, as stored; Swift's == would equate Unicode variants.
        let owner: [(UserColumn, String)] = [(.resetToken, token), (.email, email)]
        onStore(.read, { try $0.findUser(where: owner) }, else: finish) { found in
            guard let user = found else { return finish(.failure(.invalidResetToken)) }
            if self.resetTokenHasExpired(user) {
                let clearing: [(UserColumn, String?)] = [(.resetToken, nil), (.resetTokenCreatedAt, nil)]
                return self.onStore(.write, { (store: UserStore) throws -> Void in
                    // Only if still this token: a fresh one may have been issued meanwhile.
                    guard try store.findUser(where: owner) != nil else { return }
                    try store.updateUser(id: user.id, set: clearing)
                }, else: finish) { finish(.failure(.resetTokenExpired)) }
            }
            self.hash(newPassword, else: finish) { hashed in
                self.onStore(.write, { (store: UserStore) throws -> User? in
                    // Checked again in the same store job as the update: the token may have been used meanwhile.
                    guard var user = try store.findUser(where: owner) else { return nil }
                    try store.updateUser(id: user.id, set: [
                        (.hashedPassword, hashed), (.resetToken, nil), (.resetTokenCreatedAt, nil),
                        (.sessionID, nil), (.sessionCreatedAt, nil),
                    ])
                    user.hashedPassword = hashed
                    user.resetToken = nil
                    user.resetTokenCreatedAt = nil
                    user.sessionID = nil
                    user.sessionCreatedAt = nil
                    return user
                }, else: finish) { user in
                    finish(user.map { .success($0) } ?? .failure(.invalidResetToken))
                }
            }
        }
    }

    /// Queue depths and busy threads for metrics (thread-safe snapshot).
    public var stats: AuthStats {
        AuthStats(
            storeQueueDepth: store.depth,
            hashQueueDepth: hashes.waiting,
            busyHashThreads: hashes.running,
            hashThreads: hashes.threadCount,
            operationsInFlight: gate.count,
            bcryptRuns: bcryptTime.runs.load(ordering: .relaxed),
            bcryptNanoseconds: bcryptTime.nanoseconds.load(ordering: .relaxed))
    }

    /// Finishes queued work, closes SQLite cleanly (WAL checkpoint), stops threads. Blocks.
    /// Operations started afterwards fail with `.overloaded`. Later calls return at once.
    /// Call it from the daemon's own thread, never from a completion (it waits for completions to end).
    public func shutdown() {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // Operations hop between the pools, so both stay up until every operation has completed.
        gate.closeAndWait()
        hashes.shutdown()
        store.shutdown()
    }

    private func sessionHasExpired(_ user: User) -> Bool {
        sessionLifetime.hasExpired(createdAt: user.sessionCreatedAt ?? startedAt, now: clock())
    }

    private func resetTokenHasExpired(_ user: User) -> Bool {
        resetTokenLifetime.hasExpired(createdAt: user.resetTokenCreatedAt ?? startedAt, now: clock())
    }

    /// Clears `sessionID` from user `id`, unless a new log-in replaced it meanwhile. Store thread.
    private static func endSession(_ sessionID: String, of id: Int64, in store: UserStore) throws(UserStoreError) {
        guard try store.findUser(where: [(.sessionID, sessionID)]) != nil else { return }
        try store.updateUser(id: id, set: [(.sessionID, nil), (.sessionCreatedAt, nil)])
    }

    /// Counts the operation in flight and wraps its completion to uncount it; nil (answered) after shutdown.
    private func admit<T>(_ completion: @escaping Finish<T>) -> Finish<T>? {
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

    /// Runs `body` on the store thread and passes its value to `next`; failures go to `finish`.
    private func onStore<Value: Sendable, T>(
        _ access: StoreQueue.Access,
        _ body: @escaping @Sendable (UserStore) throws -> Value,
        else finish: @escaping Finish<T>,
        then next: @escaping @Sendable (Value) -> Void
    ) {
        let accepted = store.submit(access, body) { result in
            switch result {
            case let .success(value): next(value)
            case let .failure(error): finish(.failure(AuthError(error)))
            }
        }
        if !accepted { finish(.failure(.overloaded)) }
    }

    /// Hashes `password` on a hash thread and passes the hash to `next`; failures go to `finish`.
    private func hash<T>(
        _ password: String, else finish: @escaping Finish<T>, then next: @escaping @Sendable (String) -> Void
    ) {
        let cost = bcryptCost
        let timing = bcryptTime
        let accepted = hashes.submit { hasher in
            do {
                let hashed = try timing.measure { try hasher.hash(password, cost: cost) }
                next(hashed)
            } catch PasswordHasherError.passwordTooLong {
                finish(.failure(.passwordTooLong))
            } catch {
                finish(.failure(.internalFailure("cannot hash password: \(error)")))
            }
        }
        if !accepted { finish(.failure(.overloaded)) }
    }

    /// Verifies `password` against `hash` on a hash thread and passes the verdict to `next`.
    private func verify<T>(
        _ password: String, against hash: String, else finish: @escaping Finish<T>,
        then next: @escaping @Sendable (Bool) -> Void
    ) {
        let timing = bcryptTime
        let accepted = hashes.submit { hasher in
            next(timing.measure { hasher.verify(password, against: hash) })
        }
        if !accepted { finish(.failure(.overloaded)) }
    }
}
