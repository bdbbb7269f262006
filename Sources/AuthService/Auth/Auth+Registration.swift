extension Auth {
    /// Creates a user with a bcrypt hash of `password`; `.emailAlreadyRegistered` when the email is
    /// taken, `.throttled` when `client` has spent its request budget; `.overloaded`, unhashed, when
    /// `abandonment` is set before the bcrypt run starts.
    public func register(
        email: String, password: String, client: ClientIdentity, abandonment: Abandonment? = nil,
        completion: @escaping @Sendable (Result<User, AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        if let refusal = throttling.admitRequest(client: client) {
            return refuse(refusal, email: email, client: client, finish)
        }
        guard password.utf8.count <= PasswordHasher.maximumPasswordBytes else {
            return finish(.failure(.passwordTooLong))
        }
        // Looking first spares a bcrypt run for a taken email; the store's add still decides races.
        store.findUser(email: email, completion: then(finish) { existing in
            guard existing == nil else { return finish(.failure(.emailAlreadyRegistered)) }
            self.hash(password, for: client, abandonment: abandonment, else: finish) { hashed in
                self.store.addUser(email: email, hashedPassword: hashed, completion: self.then(finish) { user in
                    self.record(.registered, userID: user.id, client: client)
                    finish(.success(user))
                })
            }
        })
    }

    /// Answers a request refused by the per-client budget, counted and audited.
    func refuse<T>(_ refusal: LoginThrottling.Refusal, email: String, client: ClientIdentity, _ finish: Finish<T>) {
        counters.requestsThrottled.add(1, ordering: .relaxed)
        record(.throttled, email: email, client: client, reason: refusal.reason)
        finish(.failure(.throttled(retryAfterSeconds: refusal.retryAfterSeconds)))
    }
}
