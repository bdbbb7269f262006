extension Auth {
    /// Who holds this session id; `.unknownSession` for nil, empty or unknown,
    /// `.sessionExpired` (after clearing it) when past the session lifetime.
    ///
    /// Behind every authenticated request, so written out rather than through `admit` and `then`:
    /// their wrapper closures and the generic reabstraction thunks cost five allocations per lookup (callgrind).
    public func user(
        forSession sessionID: String?, client: ClientIdentity,
        completion: @escaping @Sendable (Result<SessionHolder, AuthError>) -> Void
    ) {
        let key = sessionID.flatMap { $0.isEmpty ? nil : secretKey(for: $0) }
        user(forSessionKey: key, client: client, completion: completion)
    }

    /// `user(forSession:)` for a session id already made a key (nil: none was sent).
    func user(
        forSessionKey key: SecretKey?, client: ClientIdentity,
        completion: @escaping @Sendable (Result<SessionHolder, AuthError>) -> Void
    ) {
        guard gate.enter() else { return completion(.failure(.overloaded)) }
        let gate = self.gate
        guard let key else {
            completion(.failure(.unknownSession))
            return gate.leave()
        }
        store.findSession(key) { found in
            switch found {
            case .success(let holder?):
                guard self.sessionHasExpired(createdAt: holder.sessionCreatedAt) else {
                    completion(.success(holder))
                    return gate.leave()
                }
                self.endExpiredSession(key, of: holder, client: client) { result in
                    completion(result)
                    gate.leave()
                }
            case .success(nil):
                completion(.failure(.unknownSession))
                gate.leave()
            case .failure(let error):
                completion(.failure(AuthError(error)))
                gate.leave()
            }
        }
    }

    /// Ends an expired session and answers `.sessionExpired`: only an expired session costs a
    /// write, valid reads never do.
    private func endExpiredSession(
        _ key: SecretKey, of holder: SessionHolder, client: ClientIdentity, finish: @escaping Finish<SessionHolder>
    ) {
        store.endSession(
            key,
            completion: then(finish) { _ in
                self.record(.sessionExpired, userID: holder.userID, client: client)
                finish(.failure(.sessionExpired))
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
                guard var user = found?.user else { return finish(.failure(.unknownSession)) }
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
