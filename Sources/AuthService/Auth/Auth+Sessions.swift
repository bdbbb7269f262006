extension Auth {
    /// Who holds this session id; `.unknownSession` for nil, empty or unknown,
    /// `.sessionExpired` (after clearing it) when past the session lifetime.
    public func user(
        forSession sessionID: String?, client: ClientIdentity,
        completion: @escaping @Sendable (Result<SessionHolder, AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        guard let sessionID, !sessionID.isEmpty else { return finish(.failure(.unknownSession)) }
        let key = secretKey(for: sessionID)
        store.findSession(
            key,
            completion: then(finish) { found in
                guard let holder = found else { return finish(.failure(.unknownSession)) }
                guard self.sessionHasExpired(createdAt: holder.sessionCreatedAt) else {
                    return finish(.success(holder))
                }
                // Only an expired session costs a write; valid reads never do.
                self.store.endSession(
                    key,
                    completion: self.then(finish) { _ in
                        self.record(.sessionExpired, userID: holder.userID, client: client)
                        finish(.failure(.sessionExpired))
                    })
            })
    }

    /// Ends the session; the user it belonged to. `.unknownSession` when nobody holds it,
    /// `.sessionExpired` when it had expired (it is ended all the same).
    public func logout(
        sessionID: String?, client: ClientIdentity, completion: @escaping @Sendable (Result<User, AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        guard let sessionID, !sessionID.isEmpty else { return finish(.failure(.unknownSession)) }
        store.endSession(
            secretKey(for: sessionID),
            completion: then(finish) { found in
                guard var user = found else { return finish(.failure(.unknownSession)) }
                if self.sessionHasExpired(createdAt: user.sessionCreatedAt) {
                    self.record(.sessionExpired, userID: user.id, client: client)
                    return finish(.failure(.sessionExpired))
                }
                self.record(.loggedOut, userID: user.id, client: client)
                user.sessionID = nil
                user.sessionCreatedAt = nil
                finish(.success(user))
            })
    }
}
