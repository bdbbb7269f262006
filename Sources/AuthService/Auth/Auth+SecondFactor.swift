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
        guard let keys = sealingKeys, let secondFactors else { return completion(.failure(.secondFactorUnavailable)) }
        user(forSession: sessionID, client: client) { found in
            let holder: SessionHolder
            switch found {
            case .success(let found): holder = found
            case .failure(let error): return completion(.failure(error))
            }
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
                        secondFactors.setPendingTOTP(
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
    /// step is claimed), and answers the recovery codes, shown this once. `.noPendingSecondFactor`
    /// when there is nothing to confirm; `.invalidSecondFactor` for a wrong code (counted as a
    /// failed login).
    public func confirmTOTPEnrolment(
        sessionID: String?, code: String, client: ClientIdentity,
        completion: @escaping @Sendable (Result<[String], AuthError>) -> Void
    ) {
        guard let keys = sealingKeys, let secondFactors else { return completion(.failure(.secondFactorUnavailable)) }
        user(forSession: sessionID, client: client) { found in
            let holder: SessionHolder
            switch found {
            case .success(let found): holder = found
            case .failure(let error): return completion(.failure(error))
            }
            self.throttledCheck(email: holder.email, client: client, completion) { finish, fail in
                secondFactors.findTOTP(
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
                        secondFactors.enableTOTP(
                            userID: holder.userID, secret: record.secret, step: step,
                            recoveryCodeDigests: codes.compactMap(RecoveryCodes.digest(of:)),
                            completion: self.then(finish) { enabled in
                                guard enabled else { return finish(.failure(.noPendingSecondFactor)) }
                                self.record(.secondFactorEnabled, userID: holder.userID, client: client)
                                finish(.success(codes))
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
        guard let keys = sealingKeys, let secondFactors else { return completion(.failure(.secondFactorUnavailable)) }
        throttledCheck(email: email, client: client, completion) { finish, fail in
            let wrong: @Sendable (String) -> Void = { reason in
                self.record(.secondFactorFailed, userID: userID, client: client, reason: reason)
                fail(.invalidSecondFactor)
            }
            if let recoveryCode {
                guard let digest = RecoveryCodes.digest(of: recoveryCode) else { return wrong("wrong_recovery_code") }
                return secondFactors.useRecoveryCode(
                    userID: userID, digest: digest,
                    completion: self.then(finish) { used in
                        guard used else { return wrong("wrong_recovery_code") }
                        self.record(.recoveryCodeUsed, userID: userID, client: client)
                        finish(.success(()))
                    })
            }
            secondFactors.findTOTP(
                userID: userID,
                completion: self.then(finish) { record in
                    let binding = SealBinding.totpSecret(userID: userID, email: email)
                    guard let record, record.isEnabled, let secret = keys.open(record.secret, for: binding) else {
                        return wrong("no_second_factor")
                    }
                    guard let code, let step = TOTP.matchingStep(code, secret: secret, atMilliseconds: self.clock())
                    else { return wrong("wrong_code") }
                    secondFactors.claimTOTPStep(
                        userID: userID, step: step,
                        completion: self.then(finish) { claimed in
                            claimed ? finish(.success(())) : wrong("code_reused")
                        })
                })
        }
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
                let finish: Finish<T> = { result in
                    let succeeded = if case .success = result { true } else { false }
                    self.throttling.endLogin(email: email, client: client, failed: false, succeeded: succeeded)
                    admitted(result)
                }
                let fail: @Sendable (AuthError) -> Void = { error in
                    self.counters.loginsFailed.add(1, ordering: .relaxed)
                    self.throttling.endLogin(email: email, client: client, failed: true, succeeded: false)
                    admitted(.failure(error))
                }
                body(finish, fail)
            }
        }
    }
}
