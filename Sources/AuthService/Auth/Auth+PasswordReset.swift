/// What a reset request led to, for the answer.
public enum PasswordResetRequest: Sendable, Equatable {
    /// The seed's delivery: the user and its new token, for the answer to whoever asked.
    case token(user: User, token: String)
    /// By mail: the normalized email asked for. Whether a mail was queued (the email is registered)
    /// is deliberately not said: the answer must be the same either way.
    case mailed(email: String)
}

extension Auth {
    /// Whether reset tokens go by mail (`--reset-delivery smtp://…`), not in the answer.
    var sendsResetsByMail: Bool { mailer != nil }

    /// A reset request as the configuration's delivery has it: the seed's `resetToken`, or by mail,
    /// where a registered and an unknown email take the same work (one store write each) and get
    /// the same outcome, and only a registered one's token and mail are stored, together, while its
    /// account is within `resetMailLimit` (past it the request changes nothing, and answers the same).
    public func requestPasswordReset(
        email given: String, client: ClientIdentity,
        completion: @escaping @Sendable (Result<PasswordResetRequest, AuthError>) -> Void
    ) {
        guard let mailer else {
            return resetToken(email: given, client: client) { result in
                completion(result.map { .token(user: $0.user, token: $0.token) })
            }
        }
        guard let email = normalizedEmail(given, else: completion) else { return }
        guard let finish = admit(completion) else { return }
        guard admitRequest(email: email, client: client, finish) else { return }
        let token = UUID4.make()
        let now = clock()
        let expiresAt = now + resetTokenLifetime.milliseconds
        let mailed: String
        do {
            mailed = try OutboxToken.stored(token, createdAt: now, expiresAt: expiresAt, keys: sealingKeys)
        } catch {
            return finish(.failure(.internalFailure("cannot seal the reset token: \(error)")))
        }
        let request = ResetMailRequest(
            email: email, storedToken: storedForm(of: token), mailedToken: mailed, requestedBy: client.address,
            createdAt: now, expiresAt: expiresAt, limit: resetMailLimit)
        store.issueResetTokenByMail(
            request,
            completion: then(finish) { mail in
                if let mail { self.record(.resetTokenIssued, userID: mail.userID, client: client) }
                // Woken either way, so an unknown email costs what a registered one does.
                mailer.wake()
                finish(.success(.mailed(email: email)))
            })
    }

    /// Stores a fresh uuid4 (as its digest) as the reset token of the user the normalized email
    /// names (exactly, else ignoring case, as a login) and returns that user and the token;
    /// `.invalidEmail` when it cannot be an email, `.unknownEmail` when not registered,
    /// `.throttled` when `client` has spent its request budget.
    public func resetToken(
        email given: String, client: ClientIdentity,
        completion: @escaping @Sendable (Result<(user: User, token: String), AuthError>) -> Void
    ) {
        guard let email = normalizedEmail(given, else: completion) else { return }
        guard let finish = admit(completion) else { return }
        guard admitRequest(email: email, client: client, finish) else { return }
        let token = UUID4.make()
        findUser(named: email, else: finish) { named in
            guard let owner = named else { return finish(.failure(.unknownEmail)) }
            let stored = self.storedForm(of: token)
            self.store.issueResetToken(
                email: owner.email, token: stored, createdAt: self.clock(),
                completion: self.then(finish) {
                    user in
                    guard let user else { return finish(.failure(.unknownEmail)) }
                    self.record(.resetTokenIssued, email: email, client: client)
                    finish(.success((user: user, token: token)))
                })
        }
    }

    /// Replaces the password of the token's owner (with the new one in NFC, `PasswordForm`), who
    /// must be the user the normalized email names, clears the token (single use) and, when tokens
    /// go by mail, ends every session of the user (`resetEndsSessions`); `.resetTokenExpired` (after
    /// clearing it) when past the token lifetime, `.passwordTooLong` / `.passwordTooShort` for a
    /// new password out of bounds; `.overloaded`, unhashed, when `connection` closed before the
    /// bcrypt run starts.
    public func updatePassword(
        email given: String, resetToken: String?, newPassword typed: String, client: ClientIdentity,
        connection: ClientConnection? = nil, completion: @escaping @Sendable (Result<User, AuthError>) -> Void
    ) {
        guard let email = normalizedEmail(given, else: completion) else { return }
        let newPassword = PasswordForm.new(typed)
        guard let finish = admit(completion) else { return }
        guard let token = resetToken, !token.isEmpty else { return finish(.failure(.invalidResetToken)) }
        if let refusal = refusal(ofNewPassword: newPassword) { return finish(.failure(refusal)) }
        findUser(named: email, else: finish) { named in
            guard let owner = named else { return finish(.failure(.invalidResetToken)) }
            // From here on the owner's stored spelling: the store compares emails byte for byte.
            self.replacePassword(
                of: owner.email, key: self.secretKey(for: token), newPassword: newPassword, client: client,
                connection: connection, finish)
        }
    }

    /// The token checks and the change, for the stored email `email`.
    private func replacePassword(
        of email: String, key: SecretKey, newPassword: String, client: ClientIdentity, connection: ClientConnection?,
        _ finish: @escaping Finish<User>
    ) {
        store.findUser(
            resetToken: key, email: email,
            completion: then(finish) { found in
                guard let user = found else { return finish(.failure(.invalidResetToken)) }
                if self.resetTokenHasExpired(user) {
                    // Cleared only if still this token: a fresh one may have been issued meanwhile.
                    return self.store.clearResetToken(
                        key, email: email,
                        completion: self.then(finish) { _ in
                            self.record(.resetTokenExpired, email: email, client: client)
                            finish(.failure(.resetTokenExpired))
                        })
                }
                self.hash(newPassword, for: client, connection: connection, else: finish) { hashed in
                    // Checked again as one step with the change: the token may have been used meanwhile.
                    self.store.consumeResetToken(
                        key, email: email, newHashedPassword: hashed, endingSessions: self.resetEndsSessions,
                        completion: self.then(finish) {
                            changed in
                            guard let user = changed else { return finish(.failure(.invalidResetToken)) }
                            self.record(.passwordChanged, userID: user.id, client: client)
                            if self.resetEndsSessions {
                                self.record(
                                    .sessionEnded, userID: user.id, client: client,
                                    reason: SessionEnd.passwordChanged.rawValue)
                            }
                            finish(.success(user))
                        })
                }
            })
    }

    /// Whether a password reset ends every session of the user (ASVS 3.3.3). Only when tokens go by
    /// mail: in the seed's delivery anyone who knows an email can reset its password, so ending
    /// sessions protects nothing there, and seed clients log out with their old cookie afterwards.
    var resetEndsSessions: Bool { mailer != nil }
}
