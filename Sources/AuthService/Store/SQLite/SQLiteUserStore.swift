/// The embedded default store: the seed's SQLite file, on one dedicated serial thread with group
/// commit (both private to this type). Thread-safe; completions run on the store thread.
public final class SQLiteUserStore: UserStore {
    let queue: SQLiteQueue

    /// Opens or creates the database at `path` (never wiping it) and starts the store thread.
    /// `busyTimeoutMilliseconds` is how long a lock held by another process is waited for; `maxPages`
    /// caps the file (tests of a full database);
    /// `onHealthChange` hears each change of the storage's health once, on the store thread.
    public init(
        path: String, busyTimeoutMilliseconds: Int = 5000, maxPages: Int? = nil,
        onHealthChange: @escaping @Sendable (_ from: StoreHealth, _ to: StoreHealth) -> Void = { _, _ in }
    ) throws(StoreError) {
        let table = try SQLiteUsersTable(
            path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, maxPages: maxPages)
        let commits = WALChangeCounter(database: table.database)
        do {
            queue = try SQLiteQueue(
                table: table, commits: commits, clock: WallClock.milliseconds, onHealthChange: onHealthChange)
        } catch {
            throw .failure(code: error.code, message: "cannot start the store thread")
        }
    }

    public func addUser(
        email: String, hashedPassword: String, unique: EmailComparison, completion: @escaping StoreCompletion<User>
    ) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.addUser(email: email, hashedPassword: hashedPassword, unique: unique)
            }, completion: completion)
    }

    public func findUser(email: String, completion: @escaping StoreCompletion<User?>) {
        queue.submit(.read, { table throws(StoreError) in try table.findUser(email: email) }, completion: completion)
    }

    public func findUser(emailIgnoringCase email: String, completion: @escaping StoreCompletion<User?>) {
        queue.submit(
            .read,
            { table throws(StoreError) in
                try table.findUser(emailIgnoringCase: email)
            }, completion: completion)
    }

    public func replacePasswordHash(
        userID: Int64, from old: String, to new: String, completion: @escaping StoreCompletion<Bool>
    ) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.replacePasswordHash(userID: userID, from: old, to: new)
            }, completion: completion)
    }

    public func newestPasswordHashes(limit: Int, completion: @escaping StoreCompletion<[String]>) {
        queue.submit(
            .read,
            { table throws(StoreError) in
                try table.newestPasswordHashes(limit: limit)
            }, completion: completion)
    }

    public func findUser(sessionID: SecretKey, completion: @escaping StoreCompletion<User?>) {
        queue.submit(
            .read,
            { table throws(StoreError) in
                try table.findUser(holding: sessionID)
            }, completion: completion)
    }

    /// Answered at once, on the calling thread, when the session cache knows the answer fresh
    /// (see `SessionReadCache`); otherwise on the store thread, which then keeps it.
    public func findSession(_ key: SecretKey, completion: @escaping StoreCompletion<SessionHolder?>) {
        let stamp = queue.sessions.stamp()
        if let stamp, let holder = queue.sessions.holder(for: key, at: stamp) { return completion(.success(holder)) }
        queue.findSession(key, stamp: stamp, completion: completion)
    }

    public func findUser(resetToken: SecretKey, email: String, completion: @escaping StoreCompletion<User?>) {
        queue.submit(
            .read,
            { table throws(StoreError) in
                try table.findUser(resetToken: resetToken, email: email)
            }, completion: completion)
    }

    public func startSession(
        _ session: Session, storedID: String, limit: Int, completion: @escaping StoreCompletion<[SessionHandle]?>
    ) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.startSession(session, storedID: storedID, limit: limit)
            }, completion: completion)
    }

    public func endSession(_ key: SecretKey, completion: @escaping StoreCompletion<EndedSession?>) {
        queue.submit(.write, { table throws(StoreError) in try table.endSession(key) }, completion: completion)
    }

    public func sessions(ofUser userID: Int64, completion: @escaping StoreCompletion<[Session]>) {
        queue.submit(
            .read, { table throws(StoreError) in try table.sessionRows.sessions(ofUser: userID) },
            completion: completion)
    }

    public func endSession(_ handle: SessionHandle, ofUser userID: Int64, completion: @escaping StoreCompletion<Bool>) {
        queue.submit(
            .write, { table throws(StoreError) in try table.sessionRows.end(handle, ofUser: userID) },
            completion: completion)
    }

    public func endSessions(
        ofUser userID: Int64, keeping kept: SessionHandle?, completion: @escaping StoreCompletion<[SessionHandle]>
    ) {
        queue.submit(
            .write, { table throws(StoreError) in try table.sessionRows.endAll(ofUser: userID, keeping: kept) },
            completion: completion)
    }

    public func touchSession(_ handle: SessionHandle, at time: Int64, completion: @escaping StoreCompletion<Bool>) {
        queue.submit(
            .write, { table throws(StoreError) in try table.sessionRows.touch(handle, at: time) },
            completion: completion)
    }

    public func renewSession(
        _ handle: SessionHandle, ofUser userID: Int64, storedID: String, assurance: AssuranceLevel,
        completion: @escaping StoreCompletion<Bool>
    ) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.sessionRows.renew(handle, ofUser: userID, storedID: storedID, assurance: assurance)
            }, completion: completion)
    }

    public func issueResetToken(
        email: String, token: String, createdAt: Int64, completion: @escaping StoreCompletion<User?>
    ) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.issueResetToken(email: email, token: token, createdAt: createdAt)
            }, completion: completion)
    }

    public func clearResetToken(_ token: SecretKey, email: String, completion: @escaping StoreCompletion<Bool>) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.clearResetToken(token, email: email)
            }, completion: completion)
    }

    public func consumeResetToken(
        _ token: SecretKey, email: String, newHashedPassword: String, endingSessions: Bool,
        completion: @escaping StoreCompletion<User?>
    ) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.consumeResetToken(
                    token, email: email, newHashedPassword: newHashedPassword, endingSessions: endingSessions)
            }, completion: completion)
    }

    public func listUsers(completion: @escaping StoreCompletion<[User]>) {
        queue.submit(.read, { table throws(StoreError) in try table.listUsers() }, completion: completion)
    }

    public func deleteUser(id: Int64, completion: @escaping StoreCompletion<User?>) {
        queue.submit(.write, { table throws(StoreError) in try table.deleteUser(id: id) }, completion: completion)
    }

    public func endSessions(email: String, completion: @escaping StoreCompletion<User?>) {
        queue.submit(
            .write, { table throws(StoreError) in try table.endSessions(email: email) }, completion: completion)
    }

    public func setPasswordHash(email: String, to hash: String, completion: @escaping StoreCompletion<User?>) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.setPasswordHash(email: email, to: hash)
            }, completion: completion)
    }

    public func addUsers(_ users: [NewUser], unique: EmailComparison, completion: @escaping StoreCompletion<[User?]>) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.addUsers(users, unique: unique)
            }, completion: completion)
    }

    public func copyUsers(
        _ rows: [User], secondFactors: [Int64: CopiedSecondFactor], completion: @escaping StoreCompletion<[CopyOutcome]>
    ) {
        queue.submit(
            .write, { table throws(StoreError) in try table.copyUsers(rows, secondFactors: secondFactors) },
            completion: completion)
    }

    public func issueResetTokenByMail(_ request: ResetMailRequest, completion: @escaping StoreCompletion<OutboxMail?>) {
        queue.submit(
            .write, { table throws(StoreError) in try table.issueResetTokenByMail(request) }, completion: completion)
    }

    public func pendingResetMails(dueAt now: Int64?, limit: Int, completion: @escaping StoreCompletion<OutboxSnapshot>)
    {
        queue.submit(
            .read,
            { table throws(StoreError) in
                try table.outbox.pending(dueAt: now, limit: limit)
            }, completion: completion)
    }

    public func deferResetMail(
        id: Int64, attempts: Int, nextAttemptAt: Int64, completion: @escaping StoreCompletion<Bool>
    ) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.outbox.deferMail(id: id, attempts: attempts, nextAttemptAt: nextAttemptAt)
            }, completion: completion)
    }

    public func removeResetMail(id: Int64, completion: @escaping StoreCompletion<Bool>) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.outbox.noteRequest(at: WallClock.milliseconds())
                return try table.outbox.removeMail(id: id)
            }, completion: completion)
    }

    public var queueDepth: Int { queue.depth }

    public func holdWakeups() -> (@Sendable () -> Void)? {
        queue.holdWakeups()
        return { [queue] in queue.wakeHeld() }
    }

    public var status: StoreStatus {
        var status = queue.status
        status.sessionCacheHits = queue.sessions.hits
        return status
    }

    public func probe() {
        queue.probe()
    }

    public func close() {
        queue.shutdown()
    }
}
