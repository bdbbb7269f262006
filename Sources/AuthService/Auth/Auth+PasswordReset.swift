extension Auth {
    /// Stores a fresh uuid4 as the user's reset token and returns it; `.unknownEmail` when not
    /// registered, `.throttled` when `client` has spent its request budget.
    public func resetToken(
        email: String, client: ClientIdentity, completion: @escaping @Sendable (Result<String, AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        guard admitRequest(email: email, client: client, finish) else { return }
        let token = UUID4.make()
        store.issueResetToken(email: email, token: storedForm(of: token), createdAt: clock(), completion: then(finish) { user in
            guard user != nil else { return finish(.failure(.unknownEmail)) }
            self.record(.resetTokenIssued, email: email, client: client)
            finish(.success(token))
        })
    }

    /// Replaces the password of the token's owner, who must have `email`, clears the token (single
    /// use) and ends the user's session; `.resetTokenExpired` (after clearing it) when past the
    /// token lifetime; `.overloaded`, unhashed, when `abandonment` is set before the bcrypt run starts.
    public func updatePassword(
        email: String, resetToken: String?, newPassword: String, client: ClientIdentity, abandonment: Abandonment? = nil,
        completion: @escaping @Sendable (Result<User, AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        guard let token = resetToken, !token.isEmpty else { return finish(.failure(.invalidResetToken)) }
        guard newPassword.utf8.count <= PasswordHasher.maximumPasswordBytes else {
            return finish(.failure(.passwordTooLong))
        }
        // The store compares the email byte for byte, as stored; Swift's == would equate Unicode variants.
        let key = secretKey(for: token)
        store.findUser(resetToken: key, email: email, completion: then(finish) { found in
            guard let user = found else { return finish(.failure(.invalidResetToken)) }
            if self.resetTokenHasExpired(user) {
                // Cleared only if still this token: a fresh one may have been issued meanwhile.
                return self.store.clearResetToken(key, email: email, completion: self.then(finish) { _ in
                    self.record(.resetTokenExpired, email: email, client: client)
                    finish(.failure(.resetTokenExpired))
                })
            }
            self.hash(newPassword, for: client, abandonment: abandonment, else: finish) { hashed in
                // Checked again as one step with the change: the token may have been used meanwhile.
                self.store.consumeResetToken(key, email: email, newHashedPassword: hashed, completion: self.then(finish) {
                    changed in
                    guard let user = changed else { return finish(.failure(.invalidResetToken)) }
                    self.record(.passwordChanged, userID: user.id, client: client)
                    finish(.success(user))
                })
            }
        })
    }
}
