extension Auth {
    /// Creates a user with a bcrypt hash of `password` under the normalized email (`.invalidEmail`
    /// when it cannot be one); `.emailAlreadyRegistered` when a user has that email ignoring case,
    /// `.passwordTooLong` / `.passwordTooShort` for a password out of bounds, `.throttled` when
    /// `client` has spent its request budget.
    public func register(
        email given: String, password: String, client: ClientIdentity,
        completion: @escaping @Sendable (Result<User, AuthError>) -> Void
    ) {
        guard let email = normalizedEmail(given, else: completion) else { return }
        guard let finish = admit(completion) else { return }
        if let refusal = throttling.admitRequest(client: client) {
            return refuse(refusal, email: email, client: client, finish)
        }
        if let refusal = refusal(ofNewPassword: password) { return finish(.failure(refusal)) }
        // Looking first spares a bcrypt run for a taken email; the store's add still decides races
        // (and the rare seed-made case variants, which this lookup reports as nobody).
        store.findUser(emailIgnoringCase: email, completion: then(finish) { existing in
            guard existing == nil else { return finish(.failure(.emailAlreadyRegistered)) }
            self.hash(password, else: finish) { hashed in
                self.store.addUser(
                    email: email, hashedPassword: hashed, unique: .ignoringCase, completion: self.then(finish) { user in
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
