extension Auth {
    /// Who holds this session id, with the session's handle and assurance level (what the gate and
    /// the second factor need); `.unknownSession` for nil, empty or unknown, `.sessionExpired`
    /// (after ending it) when past the session lifetime or unused past the idle timeout,
    /// `.secondFactorRequired` while the session waits for its second factor.
    ///
    /// Behind every authenticated request, so written out rather than through `admit` and `then`:
    /// their wrapper closures and the generic reabstraction thunks cost five allocations per lookup
    /// (callgrind). A valid lookup writes nothing, but once per activity step its session's last use.
    public func user(
        forSession sessionID: String?, client: ClientIdentity,
        completion: @escaping @Sendable (Result<SessionHolder, AuthError>) -> Void
    ) {
        let key = sessionID.flatMap { $0.isEmpty ? nil : secretKey(for: $0) }
        user(forSessionKey: key, client: client, completion: completion)
    }

    /// `user(forSession:)` for a session id already made a key (nil: none was sent). A session
    /// waiting for its second factor is `.secondFactorRequired`, unless `pendingAllowed` (the
    /// operation that raises it).
    func user(
        forSessionKey key: SecretKey?, client: ClientIdentity, pendingAllowed: Bool = false,
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
                let now = self.clock()
                guard let end = self.end(of: holder, now: now) else {
                    if let handle = holder.handle, let seen = holder.lastSeenAt, now - seen >= self.activityStep,
                        self.touches.claim(handle, now: now)
                    {
                        self.store.touchSession(handle, at: now, completion: Self.ignoreTouch)
                    }
                    let enough = pendingAllowed || holder.assurance != .secondFactorPending
                    completion(enough ? .success(holder) : .failure(.secondFactorRequired))
                    return gate.leave()
                }
                self.endStaleSession(key, of: holder, end, client: client) { result in
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

    /// A touch's outcome: a failed one is written again at the next use a step later (the stored
    /// last use then lags by two steps at most, half the idle timeout), a vanished session is found
    /// gone by the next lookup. A closure without context, so passing it allocates nothing.
    private static let ignoreTouch: StoreCompletion<Bool> = { _ in }

    /// Why `holder`'s session must end now; nil while it is valid. A session the seed's column
    /// alone holds has no last use: only its lifetime applies.
    func end(of holder: SessionHolder, now: Int64) -> SessionEnd? {
        if sessionLifetime.hasExpired(createdAt: holder.sessionCreatedAt ?? startedAt, now: now) { return .expired }
        if let idleTimeout, let seen = holder.lastSeenAt, now - seen > idleTimeout { return .idle }
        return nil
    }

    /// Ends a stale session and answers `.sessionExpired`: only a stale session costs a write,
    /// valid reads never do (but the periodic last use).
    private func endStaleSession(
        _ key: SecretKey, of holder: SessionHolder, _ end: SessionEnd, client: ClientIdentity,
        finish: @escaping Finish<SessionHolder>
    ) {
        store.endSession(
            key,
            completion: then(finish) { ended in
                self.record(.sessionExpired, userID: holder.userID, client: client, reason: end.rawValue)
                if ended != nil { self.recordEnd(holder.handle, userID: holder.userID, end, client: client) }
                finish(.failure(.sessionExpired))
            })
    }

    /// Ends the session; the user it belonged to. `.unknownSession` when nobody holds it,
    /// `.sessionExpired` when it had expired or been idle too long (it is ended all the same).
    public func logout(
        sessionID: String?, client: ClientIdentity, completion: @escaping @Sendable (Result<User, AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        guard let sessionID, !sessionID.isEmpty else { return finish(.failure(.unknownSession)) }
        store.endSession(
            secretKey(for: sessionID),
            completion: then(finish) { found in
                guard let found else { return finish(.failure(.unknownSession)) }
                var user = found.user
                // The idle check needs the last use, which the ended row no longer gives: a
                // logout is honoured whatever it was, and only the lifetime is reported.
                if self.sessionHasExpired(createdAt: user.sessionCreatedAt) {
                    self.record(.sessionExpired, userID: user.id, client: client)
                    self.recordEnd(found.handle, userID: user.id, .expired, client: client)
                    return finish(.failure(.sessionExpired))
                }
                self.record(.loggedOut, userID: user.id, client: client)
                self.recordEnd(found.handle, userID: user.id, .logout, client: client)
                user.sessionID = nil
                user.sessionCreatedAt = nil
                finish(.success(user))
            })
    }
}
