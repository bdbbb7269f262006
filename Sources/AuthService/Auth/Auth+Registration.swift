extension Auth {
    /// Creates a user with a bcrypt hash of `password` (in NFC, `PasswordForm`) under the normalized email (`.invalidEmail`
    /// when it cannot be one); `.emailAlreadyRegistered` when a user has that email ignoring case,
    /// `.passwordTooLong` / `.passwordTooShort` for a password out of bounds, `.throttled` when
    /// `client` has spent its request budget; `.overloaded`, unhashed, when `connection` closed
    /// before the bcrypt run starts.
    public func register(
        email given: String, password typed: String, client: ClientIdentity, connection: ClientConnection? = nil,
        completion: @escaping @Sendable (Result<User, AuthError>) -> Void
    ) {
        guard let email = normalizedEmail(given, else: completion) else { return }
        let password = PasswordForm.new(typed)
        guard let finish = admit(completion) else { return }
        guard admitRequest(email: email, client: client, finish) else { return }
        if let refusal = refusal(ofNewPassword: password) { return finish(.failure(refusal)) }
        // Looking first spares a bcrypt run for a taken email; the store's add still decides races
        // (and the rare seed-made case variants, which this lookup reports as nobody).
        store.findUser(
            emailIgnoringCase: email,
            completion: then(finish) { existing in
                guard existing == nil else { return finish(.failure(.emailAlreadyRegistered)) }
                self.hash(password, for: client, connection: connection, else: finish) { hashed in
                    self.store.addUser(
                        email: email, hashedPassword: hashed, unique: .ignoringCase,
                        completion: self.then(finish) { user in
                            self.record(.registered, userID: user.id, client: client)
                            finish(.success(user))
                        })
                }
            })
    }
}
