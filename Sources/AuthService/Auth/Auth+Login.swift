extension Auth {
    /// valid_login + create_session: verifies the password and starts a session with a fresh
    /// lower-case uuid4. `.invalidCredentials` for an unknown email or a wrong password, after one
    /// full bcrypt run either way; `.throttled` once the email or the client has failed too often;
    /// `.overloaded`, unhashed, when `abandonment` is set before the bcrypt run starts.
    public func login(
        email: String, password: String, client: ClientIdentity, abandonment: Abandonment? = nil,
        completion: @escaping @Sendable (Result<(user: User, sessionID: String), AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        throttling.beginLogin(email: email, client: client) { decision in
            switch decision {
            case .failure(let refusal):
                self.counters.loginsThrottled.add(1, ordering: .relaxed)
                self.record(refusal, email: email, client: client)
                finish(.failure(.throttled(retryAfterSeconds: refusal.retryAfterSeconds)))
            case .success(let endedBlocks):
                self.record(endedBlocks, email: email, client: client)
                self.checkedLogin(email: email, password: password, client: client, abandonment: abandonment, finish: finish)
            }
        }
    }

    /// An admitted attempt: the check, its outcome reported to the throttles and the audit log.
    private func checkedLogin(
        email: String, password: String, client: ClientIdentity, abandonment: Abandonment?,
        finish: @escaping Finish<(user: User, sessionID: String)>
    ) {
        authenticate(email: email, password: password, client: client, abandonment: abandonment) { result in
            switch result {
            case .success(let session):
                self.record(.loginSucceeded, userID: session.user.id, client: client)
                self.throttling.endLogin(email: email, client: client, failed: false, succeeded: true)
            case .failure(let error):
                let failed = error == .invalidCredentials
                if failed { self.counters.loginsFailed.add(1, ordering: .relaxed) }
                self.record(.loginFailed, email: email, client: client, reason: error.reason)
                self.throttling.endLogin(email: email, client: client, failed: failed, succeeded: false)
            }
            finish(result)
        }
    }

    /// The check and the session, without the policy around them.
    private func authenticate(
        email: String, password: String, client: ClientIdentity, abandonment: Abandonment?,
        finish: @escaping Finish<(user: User, sessionID: String)>
    ) {
        store.findUser(email: email, completion: then(finish) { found in
            // An unknown email still pays one full bcrypt run: the timing must not reveal who is registered.
            let stored = found?.hashedPassword ?? self.dummySetting
            self.verify(password, against: stored, for: client, abandonment: abandonment, else: finish) { matches in
                guard let user = found, matches else { return finish(.failure(.invalidCredentials)) }
                let sessionID = UUID4.make()
                let now = self.clock()
                let stored = self.storedForm(of: sessionID)
                self.store.startSession(userID: user.id, sessionID: stored, createdAt: now, completion: self.then(finish) {
                    started in
                    guard started else { return finish(.failure(.invalidCredentials)) }
                    var loggedIn = user
                    loggedIn.sessionID = stored
                    loggedIn.sessionCreatedAt = now
                    loggedIn.resetToken = nil
                    loggedIn.resetTokenCreatedAt = nil
                    finish(.success((user: loggedIn, sessionID: sessionID)))
                })
            }
        })
    }
}
