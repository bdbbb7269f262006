/// The sessions as atomic domain operations (see `UserStore` for what every store promises): a
/// user has up to a limit of sessions, one per device, in authd's `authd_sessions` table, each
/// found by its id's stored form (a digest, or the raw id with `--store-plain-tokens`). The seed's
/// `users.session_id` column still receives the newest session's stored id, so the seed's service
/// sharing the file behaves as it does today; a session only that column holds (the seed's, or one
/// an authd from before made) is still found by it, without a handle. Whatever ends a session
/// clears that column too when it names the session.
public protocol SessionPersister: AnyObject, Sendable {
    /// The user holding this session id; nil when none.
    func findUser(sessionID: SecretKey, completion: @escaping StoreCompletion<User?>)

    /// Who holds this session id, and the session's handle, times and assurance level; nil when
    /// none. The read behind every authenticated request, so it reads only what that needs: the
    /// session's row by its stored id, and only on a miss the `users.session_id` column (by the
    /// stored form, then a legacy raw value), which is no session of a user whose second factor is
    /// on: the seed's service, which wrote it, asked for the password alone.
    func findSession(_ key: SecretKey, completion: @escaping StoreCompletion<SessionHolder?>)

    /// Starts `session` (its `lastSeenAt` as given) under the stored id `storedID` for its user, in
    /// one step: its row, `users.session_id` set to it, the user's pending reset token cleared
    /// (whoever logs in knows the password; OWASP's Forgot Password advice) with its mail, and the
    /// user's other sessions beyond the `limit - 1` most recently seen ended (`limit` 1 is the
    /// seed's rule: a login replaces the session before it). The handles of the sessions it ended,
    /// least recently seen first; nil, and nothing changed, when the user no longer exists.
    func startSession(
        _ session: Session, storedID: String, limit: Int, completion: @escaping StoreCompletion<[SessionHandle]?>)

    /// Ends the session `key` names if a user still holds it; the user as it was before (its
    /// `sessionID` and `sessionCreatedAt` naming this session) and the session's handle; nil when
    /// nobody holds it.
    func endSession(_ key: SecretKey, completion: @escaping StoreCompletion<EndedSession?>)

    /// User `userID`'s sessions, newest first.
    func sessions(ofUser userID: Int64, completion: @escaping StoreCompletion<[Session]>)

    /// Ends session `handle` only if it is user `userID`'s; whether it did.
    func endSession(_ handle: SessionHandle, ofUser userID: Int64, completion: @escaping StoreCompletion<Bool>)

    /// Ends every session of user `userID` but `kept` (all of them for nil), a session only
    /// `users.session_id` holds included, in one step; the handles of those ended.
    func endSessions(
        ofUser userID: Int64, keeping kept: SessionHandle?, completion: @escaping StoreCompletion<[SessionHandle]>)

    /// Ends every session of the user with this exact email, in one step; the user as it was
    /// before, nil when none has this email.
    func endSessions(email: String, completion: @escaping StoreCompletion<User?>)

    /// Records that session `handle` was used at `time` (a later time than stored only); whether
    /// the session is still there. Called at most once per activity step, never per request.
    func touchSession(_ handle: SessionHandle, at time: Int64, completion: @escaping StoreCompletion<Bool>)

    /// Gives user `userID`'s session `handle` the new stored id `storedID` and assurance level
    /// `assurance`, keeping its handle and times (a second factor raising it, and a new id against
    /// fixation); `users.session_id` follows when it named the session. Whether it did.
    func renewSession(
        _ handle: SessionHandle, ofUser userID: Int64, storedID: String, assurance: AssuranceLevel,
        completion: @escaping StoreCompletion<Bool>)
}

extension SessionPersister {
    /// `startSession` with the seed's rule (one session per user) and a session made from nowhere
    /// in particular: whether the user existed. For tests and tools that only need a session.
    public func startSession(
        userID: Int64, sessionID: String, createdAt: Int64, assurance: AssuranceLevel = .password,
        completion: @escaping StoreCompletion<Bool>
    ) {
        let session = Session(
            handle: .random(), userID: userID, createdAt: createdAt, lastSeenAt: createdAt, address: "",
            userAgent: "", assurance: assurance)
        startSession(session, storedID: sessionID, limit: 1) { completion($0.map { $0 != nil }) }
    }
}
