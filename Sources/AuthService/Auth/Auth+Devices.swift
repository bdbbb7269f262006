/// A session in its owner's list: the session, and whether it is the one asking.
public struct ListedSession: Sendable, Equatable {
    public var session: Session
    /// Whether this is the session the list was asked with.
    public var isCurrent: Bool

    public init(session: Session, isCurrent: Bool) {
        self.session = session
        self.isCurrent = isCurrent
    }
}

/// Which of a user's sessions a logout ends (GoTrue's scope names).
public enum LogoutScope: String, Sendable, CaseIterable {
    /// Every session but the one asking.
    case others
    /// Every session, the one asking included.
    case global
}

extension Auth {
    /// The sessions of the user holding `sessionID`, newest first, the asking one marked current;
    /// fails as `user(forSession:)` does.
    public func sessions(
        forSession sessionID: String?, client: ClientIdentity,
        completion: @escaping @Sendable (Result<[ListedSession], AuthError>) -> Void
    ) {
        asHolder(of: sessionID, client: client, completion) { holder, finish in
            self.store.sessions(
                ofUser: holder.userID,
                completion: self.then(finish) { sessions in
                    finish(.success(sessions.map { ListedSession(session: $0, isCurrent: $0.handle == holder.handle) }))
                })
        }
    }

    /// Ends session `handle` of the user holding `sessionID` (the asking one too, if named).
    /// `.unknownSessionHandle` when that user has no such session, whoever else may have it.
    public func endSession(
        _ handle: SessionHandle, forSession sessionID: String?, client: ClientIdentity,
        completion: @escaping @Sendable (Result<Void, AuthError>) -> Void
    ) {
        asHolder(of: sessionID, client: client, completion) { holder, finish in
            self.store.endSession(
                handle, ofUser: holder.userID,
                completion: self.then(finish) { ended in
                    guard ended else { return finish(.failure(.unknownSessionHandle)) }
                    self.recordEnd(handle, userID: holder.userID, .revoked, client: client)
                    finish(.success(()))
                })
        }
    }

    /// Ends the sessions of the user holding `sessionID` that `scope` names, in one step; how many.
    public func endSessions(
        _ scope: LogoutScope, forSession sessionID: String?, client: ClientIdentity,
        completion: @escaping @Sendable (Result<Int, AuthError>) -> Void
    ) {
        asHolder(of: sessionID, client: client, completion) { holder, finish in
            // A session only the seed's column holds (made by the seed's service) has no row to
            // keep: `others` asked with it ends it too, and its holder logs in again.
            let kept = scope == .others ? holder.handle : nil
            self.store.endSessions(
                ofUser: holder.userID, keeping: kept,
                completion: self.then(finish) { ended in
                    for handle in ended {
                        let why: SessionEnd = handle == holder.handle ? .logout : .revoked
                        self.recordEnd(handle, userID: holder.userID, why, client: client)
                    }
                    finish(.success(ended.count))
                })
        }
    }

    /// Gives the session `holder` names (as `user(forSession:)` found it) a new session id and
    /// the assurance level `level`, keeping its handle and times: the second factor's raise, with
    /// a new id against fixation. The new id, for the cookie; the old one no longer works.
    /// `.unknownSession` when the session ended meanwhile or has no handle (the seed's).
    public func renewSession(
        _ holder: SessionHolder, to level: AssuranceLevel, client: ClientIdentity,
        completion: @escaping @Sendable (Result<String, AuthError>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        guard let handle = holder.handle else { return finish(.failure(.unknownSession)) }
        let sessionID = UUID4.make()
        store.renewSession(
            handle, ofUser: holder.userID, storedID: storedForm(of: sessionID), assurance: level,
            completion: then(finish) { renewed in
                finish(renewed ? .success(sessionID) : .failure(.unknownSession))
            })
    }

    /// Looks the session up as `user(forSession:)` does, then runs `next` with its holder and
    /// the admitted completion.
    private func asHolder<T>(
        of sessionID: String?, client: ClientIdentity, _ completion: @escaping Finish<T>,
        next: @escaping @Sendable (SessionHolder, @escaping Finish<T>) -> Void
    ) {
        guard let finish = admit(completion) else { return }
        user(forSession: sessionID, client: client) { found in
            switch found {
            case .success(let holder): next(holder, finish)
            case .failure(let error): finish(.failure(error))
            }
        }
    }
}
