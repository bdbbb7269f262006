extension Auth {
    /// The issuer authenticator apps show beside the account.
    static let totpIssuer = "authd"

    /// Starts TOTP enrolment for the holder of `sessionID`, who types the password again: a new
    /// secret, pending until `confirmTOTPEnrolment`, replacing a pending one. `.secondFactorUnavailable`
    /// without a `--secret-key-file`; `.invalidCredentials` for a wrong password (counted as a failed
    /// login); `.secondFactorAlreadyEnabled` when one is on (turn it off first).
    public func beginTOTPEnrolment(
        sessionID: String?, password: String, client: ClientIdentity, connection: ClientConnection? = nil,
        completion: @escaping @Sendable (Result<TOTPEnrolment, AuthError>) -> Void
    ) {
        enrolling(sessionID: sessionID, client: client, completion) { holder, keys in
            self.throttledCheck(email: holder.email, client: client, completion) { finish, fail in
                self.findUser(named: holder.email, else: finish) { user in
                    guard let user, user.id == holder.userID else { return finish(.failure(.unknownSession)) }
                    self.verify(
                        password, against: user.hashedPassword, for: client, connection: connection, else: finish
                    ) { verdict in
                        guard verdict.matches else { return fail(.invalidCredentials) }
                        let enrolment: TOTPEnrolment
                        do {
                            enrolment = try TOTPEnrolment.make(
                                userID: user.id, account: user.email, issuer: Self.totpIssuer, keys: keys)
                        } catch {
                            return finish(.failure(.internalFailure("\(error)")))
                        }
                        self.store.setPendingTOTP(
                            userID: user.id, secret: enrolment.sealed,
                            completion: self.then(finish) { pending in
                                finish(pending ? .success(enrolment) : .failure(.secondFactorAlreadyEnabled))
                            })
                    }
                }
            }
        }
    }

    /// Enables the pending TOTP of the holder of `sessionID` with a `code` of its secret (whose
    /// step is claimed), and answers the recovery codes, shown this once. The session, which has
    /// just given the second factor, is raised to it; the user's other sessions, made with the
    /// password alone, end. `.noPendingSecondFactor`
    /// when there is nothing to confirm; `.invalidSecondFactor` for a wrong code (counted as a
    /// failed login).
    public func confirmTOTPEnrolment(
        sessionID: String?, code: String, client: ClientIdentity,
        completion: @escaping @Sendable (Result<[String], AuthError>) -> Void
    ) {
        enrolling(sessionID: sessionID, client: client, completion) { holder, keys in
            self.throttledCheck(email: holder.email, client: client, completion) { finish, fail in
                self.store.findTOTP(
                    userID: holder.userID,
                    completion: self.then(finish) { record in
                        guard let record, !record.isEnabled else { return finish(.failure(.noPendingSecondFactor)) }
                        let binding = SealBinding.totpSecret(userID: holder.userID, email: holder.email)
                        guard let secret = keys.open(record.secret, for: binding) else {
                            return finish(.failure(.secondFactorUnavailable))
                        }
                        guard let step = TOTP.matchingStep(code, secret: secret, atMilliseconds: self.clock()) else {
                            self.record(
                                .secondFactorFailed, userID: holder.userID, client: client, reason: "wrong_code")
                            return fail(.invalidSecondFactor)
                        }
                        let codes = RecoveryCodes.make()
                        self.store.enableTOTP(
                            userID: holder.userID, secret: record.secret, step: step,
                            recoveryCodeDigests: codes.compactMap(RecoveryCodes.digest(of:)),
                            completion: self.then(finish) { enabled in
                                guard enabled else { return finish(.failure(.noPendingSecondFactor)) }
                                self.record(.secondFactorEnabled, userID: holder.userID, client: client)
                                self.secureSessions(
                                    of: holder, raising: sessionID, client: client, else: finish,
                                    then: { finish(.success(codes)) })
                            })
                    })
            }
        }
    }

    /// Checks the second factor of `user` (id and stored email): a TOTP `code`, whose step is
    /// claimed so it never works again (nor does an earlier one), or else a `recoveryCode`, used
    /// up. Wrong ones count against the same limits as wrong passwords (`.throttled` once spent).
    /// `.invalidSecondFactor` when neither is right, or the user has no enabled TOTP.
    public func checkSecondFactor(
        userID: Int64, email: String, code: String?, recoveryCode: String?, client: ClientIdentity,
        completion: @escaping @Sendable (Result<Void, AuthError>) -> Void
    ) {
        guard let keys = sealingKeys else { return completion(.failure(.secondFactorUnavailable)) }
        throttledCheck(email: email, client: client, completion) { finish, fail in
            let wrong: @Sendable (String) -> Void = { reason in
                self.record(.secondFactorFailed, userID: userID, client: client, reason: reason)
                fail(.invalidSecondFactor)
            }
            if let recoveryCode {
                guard let digest = RecoveryCodes.digest(of: recoveryCode) else { return wrong("wrong_recovery_code") }
                return self.store.useRecoveryCode(
                    userID: userID, digest: digest,
                    completion: self.then(finish) { used in
                        guard used else { return wrong("wrong_recovery_code") }
                        self.record(.recoveryCodeUsed, userID: userID, client: client)
                        finish(.success(()))
                    })
            }
            self.store.findTOTP(
                userID: userID,
                completion: self.then(finish) { record in
                    let binding = SealBinding.totpSecret(userID: userID, email: email)
                    guard let record, record.isEnabled, let secret = keys.open(record.secret, for: binding) else {
                        return wrong("no_second_factor")
                    }
                    guard let code, let step = TOTP.matchingStep(code, secret: secret, atMilliseconds: self.clock())
                    else { return wrong("wrong_code") }
                    self.store.claimTOTPStep(
                        userID: userID, step: step,
                        completion: self.then(finish) { claimed in
                            claimed ? finish(.success(())) : wrong("code_reused")
                        })
                })
        }
    }

    /// Whether the user of `holder` has TOTP on; `.unavailable` without a `--secret-key-file`.
    public func secondFactorState(
        of holder: SessionHolder, completion: @escaping @Sendable (Result<SecondFactorState, AuthError>) -> Void
    ) {
        guard sealingKeys != nil else { return completion(.success(.unavailable)) }
        guard let finish = admit(completion) else { return }
        store.findTOTP(
            userID: holder.userID,
            completion: then(finish) { record in finish(.success(record?.isEnabled == true ? .enabled : .disabled)) })
    }

    /// Raises the session `sessionID`, waiting for its holder's second factor, with a TOTP `code`
    /// or a `recoveryCode` (checked as `checkSecondFactor` does): the session, its handle and times
    /// kept, gets a new id (the old one stops working: no fixation) at the second factor's level.
    /// The holder's email and the new id. `.secondFactorNotPending` for a session that waits for
    /// none.
    public func raiseSession(
        sessionID: String?, code: String?, recoveryCode: String?, client: ClientIdentity,
        completion: @escaping @Sendable (Result<(email: String, sessionID: String), AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        let key = sessionID.flatMap { $0.isEmpty ? nil : secretKey(for: $0) }
        user(forSessionKey: key, client: client, pendingAllowed: true) { found in
            let holder: SessionHolder
            switch found {
            case .success(let found): holder = found
            case .failure(let error): return finish(.failure(error))
            }
            guard holder.assurance == .secondFactorPending, let handle = holder.handle else {
                return finish(.failure(.secondFactorNotPending))
            }
            self.checkSecondFactor(
                userID: holder.userID, email: holder.email, code: code, recoveryCode: recoveryCode, client: client
            ) { checked in
                if case .failure(let error) = checked { return finish(.failure(error)) }
                let renewed = UUID4.make()
                self.store.renewSession(
                    handle, ofUser: holder.userID, storedID: self.storedForm(of: renewed), assurance: .secondFactor,
                    completion: self.then(finish) { done in
                        finish(done ? .success((email: holder.email, sessionID: renewed)) : .failure(.unknownSession))
                    })
            }
        }
    }

    /// Turns off the TOTP of the holder of `sessionID`, a session that gave the second factor,
    /// who proves it again with the `password`, else a `code` or `recoveryCode`; the user's other
    /// sessions end. `.secondFactorRequired` for a session at the password's level; a user whose
    /// TOTP is off already succeeds.
    public func disableTOTP(
        sessionID: String?, password: String?, code: String?, recoveryCode: String?, client: ClientIdentity,
        connection: ClientConnection? = nil, completion: @escaping @Sendable (Result<Void, AuthError>) -> Void
    ) {
        user(forSession: sessionID, client: client) { found in
            let holder: SessionHolder
            switch found {
            case .success(let found): holder = found
            case .failure(let error): return completion(.failure(error))
            }
            guard holder.assurance == .secondFactor else { return completion(.failure(.secondFactorRequired)) }
            let remove: @Sendable (@escaping Finish<Void>) -> Void = { finish in
                self.store.removeTOTP(
                    userID: holder.userID,
                    completion: self.then(finish) { removed in
                        if removed { self.record(.secondFactorDisabled, userID: holder.userID, client: client) }
                        self.secureSessions(of: holder, raising: nil, client: client, else: finish) {
                            finish(.success(()))
                        }
                    })
            }
            guard let password else {
                return self.checkSecondFactor(
                    userID: holder.userID, email: holder.email, code: code, recoveryCode: recoveryCode, client: client
                ) { checked in
                    guard case .success = checked else { return completion(checked) }
                    guard let finish = self.admit(completion) else { return }
                    remove(finish)
                }
            }
            self.throttledCheck(email: holder.email, client: client, completion) { finish, fail in
                self.findUser(named: holder.email, else: finish) { user in
                    guard let user, user.id == holder.userID else { return finish(.failure(.unknownSession)) }
                    self.verify(
                        password, against: user.hashedPassword, for: client, connection: connection, else: finish
                    ) { verdict in
                        guard verdict.matches else { return fail(.invalidCredentials) }
                        remove(finish)
                    }
                }
            }
        }
    }

    /// The start of enrolment's two steps: the keys, else `.secondFactorUnavailable` (no
    /// `--secret-key-file`), and the holder of `sessionID`, else the lookup's failure.
    private func enrolling<T>(
        sessionID: String?, client: ClientIdentity, _ completion: @escaping @Sendable (Result<T, AuthError>) -> Void,
        _ next: @escaping @Sendable (SessionHolder, SealingKeyring) -> Void
    ) {
        guard let keys = sealingKeys else { return completion(.failure(.secondFactorUnavailable)) }
        user(forSession: sessionID, client: client) { found in
            switch found {
            case .success(let holder): next(holder, keys)
            case .failure(let error): completion(.failure(error))
            }
        }
    }

    /// After the second factor of `holder`'s user changed: ends the user's other sessions and, with
    /// `raising` (the holder's session id), raises the holder's session to the second factor's level.
    /// A session only `users.session_id` holds has no handle: then nothing is changed.
    private func secureSessions<T>(
        of holder: SessionHolder, raising sessionID: String?, client: ClientIdentity, else finish: @escaping Finish<T>,
        then next: @escaping @Sendable () -> Void
    ) {
        guard let handle = holder.handle else { return next() }
        store.endSessions(
            ofUser: holder.userID, keeping: handle,
            completion: then(finish) { ended in
                for other in ended {
                    self.recordEnd(other, userID: holder.userID, .secondFactorChanged, client: client)
                }
                guard let sessionID else { return next() }
                self.store.renewSession(
                    handle, ofUser: holder.userID, storedID: self.storedForm(of: sessionID), assurance: .secondFactor,
                    completion: self.then(finish) { _ in next() })
            })
    }

    /// Runs `body` as a login attempt of `email` from `client` for the throttles: refused while the
    /// pair, account or client is blocked; `body` ends it with `finish` (not counted as failed) or
    /// `fail` (counted, as a wrong password is).
    private func throttledCheck<T>(
        email: String, client: ClientIdentity, _ completion: @escaping @Sendable (Result<T, AuthError>) -> Void,
        _ body:
            @escaping @Sendable (_ finish: @escaping Finish<T>, _ fail: @escaping @Sendable (AuthError) -> Void)
            -> Void
    ) {
        guard let admitted = admit(completion) else { return }
        throttling.beginLogin(email: email, client: client) { decision in
            switch decision {
            case .failure(let refusal):
                self.refuseLogin(refusal, email: email, client: client, admitted)
            case .success(let endedBlocks):
                self.record(endedBlocks, email: email, client: client)
                // The limits several nodes share count it too, as they count a login.
                self.admitShared(email: email, client: client, connection: nil, finish: admitted) { shared in
                    let endShared: @Sendable (SharedLoginOutcome) -> Void = { outcome in
                        guard var shared, let limits = self.store.sharedLoginLimits else { return }
                        shared.now = self.clock()
                        limits.endLogin(shared, rules: self.throttling.sharedRules, outcome: outcome) { _ in }
                    }
                    let finish: Finish<T> = { result in
                        let succeeded = if case .success = result { true } else { false }
                        self.throttling.endLogin(email: email, client: client, failed: false, succeeded: succeeded)
                        endShared(succeeded ? .succeeded : .withdrawn)
                        admitted(result)
                    }
                    let fail: @Sendable (AuthError) -> Void = { error in
                        self.counters.loginsFailed.add(1, ordering: .relaxed)
                        self.throttling.endLogin(email: email, client: client, failed: true, succeeded: false)
                        endShared(.failed)
                        admitted(.failure(error))
                    }
                    body(finish, fail)
                }
            }
        }
    }
}
