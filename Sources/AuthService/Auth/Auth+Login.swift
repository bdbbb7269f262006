import Dispatch

extension Auth {
    /// valid_login + create_session: verifies the password and starts a session with a fresh
    /// lower-case uuid4. The email is normalized (`.invalidEmail` when it cannot be one) and names
    /// its user exactly, else ignoring case (`findUser(named:)`). `.invalidCredentials` for an
    /// unknown email or a wrong password, after one full bcrypt run either way; `.throttled` once
    /// the email or the client has failed too often; `.overloaded`, unhashed, when `connection` has
    /// closed before the bcrypt run starts. A password stored at another cost than `bcryptCost` is
    /// re-hashed at it on success. The session records `client`'s address and `userAgent` (trimmed
    /// and bounded); past `sessionsPerUser`, the user's least recently used session ends.
    public func login(
        email given: String, password: String, client: ClientIdentity, userAgent: String = "",
        connection: ClientConnection? = nil,
        completion: @escaping @Sendable (Result<LoginSession, AuthError>) -> Void
    ) {
        guard let email = normalizedEmail(given, else: completion) else { return }
        guard let finish = admit(completion) else { return }
        throttling.beginLogin(email: email, client: client) { decision in
            switch decision {
            case .failure(let refusal):
                self.refuseLogin(refusal, email: email, client: client, finish)
            case .success(let endedBlocks):
                self.record(endedBlocks, email: email, client: client)
                self.admitShared(email: email, client: client, connection: connection, finish: finish) { shared in
                    self.checkedLogin(
                        email: email, password: password, client: client, userAgent: userAgent, shared: shared,
                        connection: connection, finish: finish)
                }
            }
        }
    }

    /// A login this node admitted, admitted by the limits the store shares with other nodes too (at
    /// once when it shares none): `next` gets the attempt to end there, nil when none. While the
    /// pair is busy with attempts under way (on any node) it asks again at growing intervals, as a
    /// node's own pair table lets it wait, for up to `sharedBusyWait`. A refusal, an abandoned
    /// attempt or a store failure ends the local attempt and answers.
    func admitShared<T>(
        email: String, client: ClientIdentity, connection: ClientConnection?,
        finish: @escaping Finish<T>,
        waitingUntil: ContinuousClock.Instant? = nil, retryMilliseconds: Int = 20,
        then next: @escaping @Sendable (SharedLoginAttempt?) -> Void
    ) {
        guard let shared = store.sharedLoginLimits else { return next(nil) }
        let attempt = throttling.sharedAttempt(email: email, client: client)
        let deadline = waitingUntil ?? .now + Self.sharedBusyWait
        // Whatever stops the attempt here ends this node's part of it too.
        let withdraw: @Sendable () -> Void = {
            self.throttling.endLogin(email: email, client: client, failed: false, succeeded: false)
        }
        let refuse: @Sendable (SharedLimitKind, Int) -> Void = { limit, seconds in
            withdraw()
            let reason = limit == .pair ? "email_failure_limit" : "account_failure_limit"
            self.refuseLogin(
                LoginThrottling.Refusal(retryAfterSeconds: seconds, reason: reason), email: email, client: client,
                finish)
        }
        shared.admitLogin(attempt, rules: throttling.sharedRules) { result in
            switch result {
            case .success(.admitted):
                next(attempt)
            case .success(.busy) where connection?.isAbandoned == true:
                withdraw()
                finish(.failure(.overloaded))
            case .success(.busy) where ContinuousClock.now + .milliseconds(retryMilliseconds) < deadline:
                // Jittered, so the attempts waiting on several nodes do not all ask at once.
                let delay = retryMilliseconds + Int.random(in: 0...10)
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delay)) {
                    self.admitShared(
                        email: email, client: client, connection: connection, finish: finish,
                        waitingUntil: deadline, retryMilliseconds: min(retryMilliseconds * 2, 250), then: next)
                }
            case .success(.busy):
                refuse(.pair, 1)
            case .success(.refused(let limit, let seconds)):
                refuse(limit, seconds)
            case .failure(let error):
                withdraw()
                finish(.failure(AuthError(error)))
            }
        }
    }

    /// How long a login waits for a pair busy with attempts under way on other nodes: many hash
    /// times, and still well within a client's patience.
    static let sharedBusyWait = Duration.seconds(10)

    /// An admitted attempt: the check, its outcome reported to the throttles and the audit log.
    private func checkedLogin(
        email: String, password: String, client: ClientIdentity, userAgent: String, shared: SharedLoginAttempt?,
        connection: ClientConnection?, finish: @escaping Finish<LoginSession>
    ) {
        authenticate(email: email, password: password, client: client, userAgent: userAgent, connection: connection) {
            result in
            let outcome: SharedLoginOutcome
            switch result {
            case .success(let session):
                self.record(.loginSucceeded, userID: session.user.id, client: client)
                self.throttling.endLogin(email: email, client: client, failed: false, succeeded: true)
                outcome = .succeeded
            case .failure(let error):
                let failed = error == .invalidCredentials
                if failed { self.counters.loginsFailed.add(1, ordering: .relaxed) }
                self.record(.loginFailed, email: email, client: client, reason: error.reason)
                self.throttling.endLogin(email: email, client: client, failed: failed, succeeded: false)
                outcome = failed ? .failed : .withdrawn
            }
            if var shared, let limits = self.store.sharedLoginLimits {
                shared.now = self.clock()
                // Not waited for: the answer is decided, and an end that fails leaves the attempt
                // under way only until its lease runs out.
                limits.endLogin(shared, rules: self.throttling.sharedRules, outcome: outcome) { _ in }
            }
            finish(result)
        }
    }

    /// How a login checks the password, decided from the stored hash before any bcrypt run.
    enum PasswordCheck: Equatable {
        /// Against the stored hash, of that cost (nil when bcrypt cannot read it: it fails as a wrong
        /// password, as ever); on success re-hashed at `rehashingAt` when set.
        case storedHash(cost: Int?, rehashingAt: Int?)
        /// Against the dummy setting: nobody has the email.
        case dummyForUnknownEmail
        /// Against the dummy setting: the stored hash's cost is above the maximum.
        case dummyForCostAboveMaximum(cost: Int)
    }

    /// The check for `user`'s stored hash (nil for an unknown email).
    func passwordCheck(for user: User?) -> PasswordCheck {
        guard let user else { return .dummyForUnknownEmail }
        guard let cost = PasswordHasher.cost(of: user.hashedPassword) else {
            return .storedHash(cost: nil, rehashingAt: nil)
        }
        guard cost <= bcryptMaximumCost else { return .dummyForCostAboveMaximum(cost: cost) }
        return .storedHash(cost: cost, rehashingAt: cost == bcryptCost ? nil : bcryptCost)
    }

    /// The check and the session, without the policy around them.
    private func authenticate(
        email: String, password: String, client: ClientIdentity, userAgent: String, connection: ClientConnection?,
        finish: @escaping Finish<LoginSession>
    ) {
        findUser(named: email, else: finish) { found in
            let check = self.passwordCheck(for: found)
            guard let user = found, case let .storedHash(cost, rehashCost) = check else {
                if let user = found, case let .dummyForCostAboveMaximum(cost) = check {
                    // It would hold a hash thread for minutes: refused like a wrong password, in the time one takes.
                    self.logger.warning(
                        "stored password hash not verified: bcrypt cost above the maximum",
                        metadata: [
                            "user_id": "\(user.id)", "cost": "\(cost)", "maximum_cost": "\(self.bcryptMaximumCost)",
                        ])
                }
                // An unknown email still pays one full bcrypt run, at the cost stored hashes typically
                // have: the timing must not reveal who is registered.
                return self.verify(
                    password, against: self.storedCosts.dummySetting, for: client, connection: connection,
                    else: finish
                ) { _ in
                    finish(.failure(.invalidCredentials))
                }
            }
            if let cost { self.storedCosts.note(cost) }
            self.verify(
                password, against: user.hashedPassword, rehashingAt: rehashCost, for: client, connection: connection,
                else: finish
            ) { verdict in
                guard verdict.matches else { return finish(.failure(.invalidCredentials)) }
                self.upgradeHash(of: user, to: verdict.rehashed) { user in
                    self.startSession(for: user, client: client, userAgent: userAgent, finish)
                }
            }
        }
    }

    /// Stores `rehashed` in place of the hash just verified, unless it changed meanwhile. Best
    /// effort: the login goes on whatever the outcome, with the user as stored now.
    private func upgradeHash(of user: User, to rehashed: String?, then next: @escaping @Sendable (User) -> Void) {
        guard let rehashed else { return next(user) }
        store.replacePasswordHash(userID: user.id, from: user.hashedPassword, to: rehashed) { result in
            var upgraded = user
            if case .success(true) = result { upgraded.hashedPassword = rehashed }
            next(upgraded)
        }
    }

    /// Gives `user` a fresh session (stored as its digest; a pending reset token is cleared), ends
    /// the sessions past the limit, and answers the login with it: waiting for the second factor
    /// when the user has one on.
    private func startSession(
        for user: User, client: ClientIdentity, userAgent: String, _ finish: @escaping Finish<LoginSession>
    ) {
        store.findTOTP(
            userID: user.id,
            completion: then(finish) { record in
                let assurance: AssuranceLevel = record?.isEnabled == true ? .secondFactorPending : .password
                self.startSession(for: user, client: client, userAgent: userAgent, assurance: assurance, finish)
            })
    }

    private func startSession(
        for user: User, client: ClientIdentity, userAgent: String, assurance: AssuranceLevel,
        _ finish: @escaping Finish<LoginSession>
    ) {
        let sessionID = UUID4.make()
        let stored = storedForm(of: sessionID)
        let now = clock()
        let session = Session(
            handle: .random(), userID: user.id, createdAt: now, lastSeenAt: now, address: client.address,
            userAgent: Session.bounded(userAgent: userAgent), assurance: assurance)
        store.startSession(
            session, storedID: stored, limit: sessionsPerUser,
            completion: then(finish) { evicted in
                guard let evicted else { return finish(.failure(.invalidCredentials)) }
                for handle in evicted { self.recordEnd(handle, userID: user.id, .evicted, client: client) }
                self.record(.sessionStarted, userID: user.id, client: client, session: session.handle)
                var loggedIn = user
                loggedIn.sessionID = stored
                loggedIn.sessionCreatedAt = now
                loggedIn.resetToken = nil
                loggedIn.resetTokenCreatedAt = nil
                finish(
                    .success(
                        LoginSession(
                            user: loggedIn, sessionID: sessionID,
                            secondFactorRequired: assurance == .secondFactorPending)))
            })
    }
}
