import Synchronization

/// The users table in memory, for fast tests of the domain and the routes: the same contract as
/// the SQLite store, each operation atomic under one lock. Thread-safe; completions run on the
/// caller's thread before the call returns.
public final class InMemoryUserStore: UserStore {
    struct State {
        var users: [User] = []
        /// Every session with its stored id, oldest first.
        var sessions: [(storedID: String, session: Session)] = []
        var outbox: [OutboxMail] = []
        /// TOTP records and recovery-code digests by user id (see `SecondFactorPersister`).
        var totp: [Int64: TOTPRecord] = [:]
        var recoveryCodes: [Int64: Set<String>] = [:]
        var lastResetRequest: Int64?
        /// Reset mails per account (`ResetMailLimit`).
        var resetMailCounts: [String: ResetMailLimit.Count] = [:]
        var nextMailID: Int64 = 1
        var closed = false

        /// Drops user `id`'s pending mail: its token was replaced or cleared, or the user removed.
        mutating func dropMail(ofUser id: Int64) {
            outbox.removeAll { $0.userID == id }
        }

        /// Ends user `id`'s sessions but `kept`, and its column unless it names `kept`; their handles.
        mutating func endSessions(ofUser id: Int64, keeping kept: SessionHandle?) -> [SessionHandle] {
            let keptID = sessions.first { $0.session.handle == kept && $0.session.userID == id }?.storedID
            if let index = users.firstIndex(where: { $0.id == id }), users[index].sessionID != keptID {
                users[index].sessionID = nil
                users[index].sessionCreatedAt = nil
            }
            let ended = sessions.filter { $0.session.userID == id && $0.session.handle != kept }.map(\.session.handle)
            sessions.removeAll { $0.session.userID == id && $0.session.handle != kept }
            return ended
        }

        /// Removes the session row stored as `storedID`, and the column of its user when it names it.
        mutating func removeSession(storedID: String) {
            guard let index = sessions.firstIndex(where: { $0.storedID == storedID }) else { return }
            let removed = sessions.remove(at: index)
            if let user = users.firstIndex(where: { $0.id == removed.session.userID && $0.sessionID == storedID }) {
                users[user].sessionID = nil
                users[user].sessionCreatedAt = nil
            }
        }
    }

    private let state = Mutex(State())
    public let sharedLoginLimits: (any SharedLoginLimits)?

    /// An empty table; with `sharingLoginLimits`, keeping login limits that every `Auth` on this
    /// store counts together, as PostgreSQL does for several nodes.
    public init(sharingLoginLimits: Bool = false) {
        sharedLoginLimits = sharingLoginLimits ? InMemorySharedLoginLimits() : nil
    }

    public func addUser(
        email: String, hashedPassword: String, unique: EmailComparison, completion: @escaping StoreCompletion<User>
    ) {
        completion(
            apply { state throws(StoreError) in
                guard let user = Self.add(email, hashedPassword, unique: unique, to: &state) else {
                    throw .duplicateEmail
                }
                return user
            })
    }

    public func findUser(email: String, completion: @escaping StoreCompletion<User?>) {
        completion(apply { state in state.users.first { $0.email == email } })
    }

    public func findUser(emailIgnoringCase email: String, completion: @escaping StoreCompletion<User?>) {
        completion(
            apply { state in
                let matches = state.users.lazy.filter { Self.equalIgnoringCase($0.email, email) }.prefix(2)
                return matches.count == 1 ? matches.first : nil
            })
    }

    public func findUser(sessionID: SecretKey, completion: @escaping StoreCompletion<User?>) {
        completion(
            apply { state in
                let row = state.sessions.first { sessionID.matches($0.storedID) }
                return state.users.first { user in
                    row.map { $0.session.userID == user.id } ?? sessionID.matches(user.sessionID)
                }
            })
    }

    public func findSession(_ key: SecretKey, completion: @escaping StoreCompletion<SessionHolder?>) {
        completion(
            apply { state in
                if let row = state.sessions.first(where: { $0.storedID == key.stored }),
                    let user = state.users.first(where: { $0.id == row.session.userID })
                {
                    return SessionHolder(
                        userID: user.id, email: user.email, sessionCreatedAt: row.session.createdAt,
                        handle: row.session.handle, lastSeenAt: row.session.lastSeenAt,
                        assurance: row.session.assurance)
                }
                let byColumn =
                    state.users.first { $0.sessionID == key.stored }
                    ?? key.legacy.flatMap { legacy in state.users.first { $0.sessionID == legacy } }
                // The seed's column proves the password alone: not enough for a user with a second factor.
                guard let byColumn, state.totp[byColumn.id]?.isEnabled != true else { return nil }
                return SessionHolder(byColumn)
            })
    }

    public func findUser(resetToken: SecretKey, email: String, completion: @escaping StoreCompletion<User?>) {
        completion(apply { state in state.users.first { resetToken.matches($0.resetToken) && $0.email == email } })
    }

    public func startSession(
        _ session: Session, storedID: String, limit: Int, completion: @escaping StoreCompletion<[SessionHandle]?>
    ) {
        completion(
            apply { state in
                guard let index = state.users.firstIndex(where: { $0.id == session.userID }) else { return nil }
                state.users[index].sessionID = storedID
                state.users[index].sessionCreatedAt = session.createdAt
                state.users[index].resetToken = nil
                state.users[index].resetTokenCreatedAt = nil
                state.dropMail(ofUser: session.userID)
                state.sessions.append((storedID, session))
                let others = state.sessions.map(\.session).filter {
                    $0.userID == session.userID && $0.handle != session.handle
                }
                let evicted = others.sorted { ($0.lastSeenAt, $0.createdAt) > ($1.lastSeenAt, $1.createdAt) }
                    .dropFirst(max(0, limit - 1)).reversed().map(\.handle)
                state.sessions.removeAll { evicted.contains($0.session.handle) }
                return Array(evicted)
            })
    }

    public func endSession(_ key: SecretKey, completion: @escaping StoreCompletion<EndedSession?>) {
        completion(
            apply { state in
                let row =
                    state.sessions.first { $0.storedID == key.stored }
                    ?? key.legacy.flatMap { legacy in state.sessions.first { $0.storedID == legacy } }
                if let row {
                    guard var user = state.users.first(where: { $0.id == row.session.userID }) else { return nil }
                    state.removeSession(storedID: row.storedID)
                    user.sessionID = row.storedID
                    user.sessionCreatedAt = row.session.createdAt
                    return EndedSession(user: user, handle: row.session.handle)
                }
                guard let index = state.users.firstIndex(where: { key.matches($0.sessionID) }) else { return nil }
                let before = state.users[index]
                state.users[index].sessionID = nil
                state.users[index].sessionCreatedAt = nil
                return EndedSession(user: before, handle: nil)
            })
    }

    public func sessions(ofUser userID: Int64, completion: @escaping StoreCompletion<[Session]>) {
        completion(
            apply { state in
                state.sessions.map(\.session).filter { $0.userID == userID }
                    .sorted { ($0.createdAt, $1.handle.rawValue) > ($1.createdAt, $0.handle.rawValue) }
            })
    }

    public func endSession(_ handle: SessionHandle, ofUser userID: Int64, completion: @escaping StoreCompletion<Bool>) {
        completion(
            apply { state in
                guard
                    let row = state.sessions.first(where: { $0.session.handle == handle && $0.session.userID == userID }
                    )
                else { return false }
                state.removeSession(storedID: row.storedID)
                return true
            })
    }

    public func endSessions(
        ofUser userID: Int64, keeping kept: SessionHandle?, completion: @escaping StoreCompletion<[SessionHandle]>
    ) {
        completion(apply { state in state.endSessions(ofUser: userID, keeping: kept) })
    }

    public func touchSession(_ handle: SessionHandle, at time: Int64, completion: @escaping StoreCompletion<Bool>) {
        completion(
            apply { state in
                guard let index = state.sessions.firstIndex(where: { $0.session.handle == handle }) else {
                    return false
                }
                state.sessions[index].session.lastSeenAt = max(state.sessions[index].session.lastSeenAt, time)
                return true
            })
    }

    public func renewSession(
        _ handle: SessionHandle, ofUser userID: Int64, storedID: String, assurance: AssuranceLevel,
        completion: @escaping StoreCompletion<Bool>
    ) {
        completion(
            apply { state in
                guard
                    let index = state.sessions.firstIndex(where: {
                        $0.session.handle == handle && $0.session.userID == userID
                    })
                else { return false }
                let old = state.sessions[index].storedID
                state.sessions[index].storedID = storedID
                state.sessions[index].session.assurance = assurance
                if let user = state.users.firstIndex(where: { $0.id == userID && $0.sessionID == old }) {
                    state.users[user].sessionID = storedID
                }
                return true
            })
    }

    public func issueResetToken(
        email: String, token: String, createdAt: Int64, completion: @escaping StoreCompletion<User?>
    ) {
        completion(
            apply { state in
                guard let index = state.users.firstIndex(where: { $0.email == email }) else { return nil }
                state.users[index].resetToken = token
                state.users[index].resetTokenCreatedAt = createdAt
                return state.users[index]
            })
    }

    public func clearResetToken(_ token: SecretKey, email: String, completion: @escaping StoreCompletion<Bool>) {
        completion(
            apply { state in
                guard let index = state.users.firstIndex(where: { token.matches($0.resetToken) && $0.email == email })
                else {
                    return false
                }
                state.users[index].resetToken = nil
                state.users[index].resetTokenCreatedAt = nil
                state.dropMail(ofUser: state.users[index].id)
                return true
            })
    }

    public func consumeResetToken(
        _ token: SecretKey, email: String, newHashedPassword: String, endingSessions: Bool,
        completion: @escaping StoreCompletion<User?>
    ) {
        completion(
            apply { state in
                guard let index = state.users.firstIndex(where: { token.matches($0.resetToken) && $0.email == email })
                else {
                    return nil
                }
                state.users[index].replacePassword(with: newHashedPassword, endingSessions: endingSessions)
                state.dropMail(ofUser: state.users[index].id)
                if endingSessions { _ = state.endSessions(ofUser: state.users[index].id, keeping: nil) }
                return state.users[index]
            })
    }

    public func replacePasswordHash(
        userID: Int64, from old: String, to new: String, completion: @escaping StoreCompletion<Bool>
    ) {
        completion(
            apply { state in
                // Byte for byte, as SQLite compares the stored bytes: Swift's == would equate Unicode variants.
                guard
                    let index = state.users.firstIndex(where: {
                        $0.id == userID && $0.hashedPassword.utf8.elementsEqual(old.utf8)
                    })
                else { return false }
                state.users[index].hashedPassword = new
                return true
            })
    }

    public func newestPasswordHashes(limit: Int, completion: @escaping StoreCompletion<[String]>) {
        completion(apply { state in state.users.suffix(max(0, limit)).reversed().map(\.hashedPassword) })
    }

    public func listUsers(completion: @escaping StoreCompletion<[User]>) {
        completion(apply { state in state.users })
    }

    public func deleteUser(id: Int64, completion: @escaping StoreCompletion<User?>) {
        completion(
            apply { state in
                guard let index = state.users.firstIndex(where: { $0.id == id }) else { return nil }
                let removed = state.users.remove(at: index)
                state.dropMail(ofUser: removed.id)
                state.sessions.removeAll { $0.session.userID == removed.id }
                // Its id is given again to the next user added (see `add`).
                state.totp[removed.id] = nil
                state.recoveryCodes[removed.id] = nil
                return removed
            })
    }

    public func endSessions(email: String, completion: @escaping StoreCompletion<User?>) {
        completion(
            apply { state in
                guard let before = state.users.first(where: { $0.email == email }) else { return nil }
                _ = state.endSessions(ofUser: before.id, keeping: nil)
                return before
            })
    }

    public func setPasswordHash(email: String, to hash: String, completion: @escaping StoreCompletion<User?>) {
        completion(
            apply { state in
                guard let index = state.users.firstIndex(where: { $0.email == email }) else { return nil }
                state.users[index].replacePassword(with: hash)
                state.dropMail(ofUser: state.users[index].id)
                _ = state.endSessions(ofUser: state.users[index].id, keeping: nil)
                return state.users[index]
            })
    }

    public func addUsers(_ users: [NewUser], unique: EmailComparison, completion: @escaping StoreCompletion<[User?]>) {
        completion(
            apply { state in
                users.map { new in Self.add(new.email, new.hashedPassword, unique: unique, to: &state) }
            })
    }

    public func copyUsers(
        _ rows: [User], secondFactors: [Int64: CopiedSecondFactor], completion: @escaping StoreCompletion<[CopyOutcome]>
    ) {
        completion(
            apply { state throws(StoreError) in
                let stored = state.users
                let totp = state.totp
                let outcomes = CopyOutcome.outcomes(
                    copying: rows, secondFactors: secondFactors,
                    variants: { email in stored.filter { Self.equalIgnoringCase($0.email, email) } },
                    storedSecondFactor: { user in totp[user.id]?.isEnabled == true })
                guard !outcomes.hasConflict else { return outcomes }
                for (row, outcome) in zip(rows, outcomes) where outcome == .added {
                    var user = row
                    user.id = (state.users.last?.id ?? 0) + 1
                    state.users.append(user)
                    state.totp[user.id] = nil
                    state.recoveryCodes[user.id] = nil
                    guard let factor = secondFactors[row.id] else { continue }
                    // A throw leaves the state as it was (`apply` works on a draft).
                    guard let sealed = factor.seal(user.id) else { throw CopiedSecondFactor.sealingFailed }
                    state.totp[user.id] = TOTPRecord(
                        userID: user.id, secret: sealed, isEnabled: factor.isEnabled, lastStep: factor.lastStep,
                        recoveryCodesLeft: 0)
                    state.recoveryCodes[user.id] = Set(factor.recoveryCodeDigests)
                }
                return outcomes
            })
    }

    public func issueResetTokenByMail(_ request: ResetMailRequest, completion: @escaping StoreCompletion<OutboxMail?>) {
        completion(
            apply { state in
                state.lastResetRequest = request.createdAt
                let exact = state.users.firstIndex { $0.email == request.email }
                let folded = state.users.indices.filter { Self.equalIgnoringCase(state.users[$0].email, request.email) }
                guard let index = exact ?? (folded.count == 1 ? folded[0] : nil) else { return nil }
                if request.limit.mails > 0 {
                    let account = request.account
                    let counted = request.limit.admit(state.resetMailCounts[account], now: request.createdAt)
                    guard let counted else { return nil }
                    state.resetMailCounts[account] = counted
                }
                state.users[index].resetToken = request.storedToken
                state.users[index].resetTokenCreatedAt = request.createdAt
                let user = state.users[index]
                state.dropMail(ofUser: user.id)
                let mail = OutboxMail(
                    id: state.nextMailID, userID: user.id, recipient: user.email, token: request.mailedToken,
                    requestedBy: request.requestedBy, createdAt: request.createdAt, expiresAt: request.expiresAt,
                    nextAttemptAt: request.createdAt)
                state.nextMailID += 1
                state.outbox.append(mail)
                return mail
            })
    }

    public func pendingResetMails(dueAt now: Int64?, limit: Int, completion: @escaping StoreCompletion<OutboxSnapshot>)
    {
        completion(
            apply { state in
                let ordered = state.outbox.sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
                let due = Array(ordered.prefix { $0.nextAttemptAt <= (now ?? .max) }.prefix(max(0, limit)))
                let next = ordered.count > due.count ? ordered[due.count].nextAttemptAt : nil
                return OutboxSnapshot(due: due, pending: ordered.count, nextAttemptAt: next)
            })
    }

    public func deferResetMail(
        id: Int64, attempts: Int, nextAttemptAt: Int64, completion: @escaping StoreCompletion<Bool>
    ) {
        completion(
            apply { state in
                guard let index = state.outbox.firstIndex(where: { $0.id == id }) else { return false }
                state.outbox[index].attempts = attempts
                state.outbox[index].nextAttemptAt = nextAttemptAt
                return true
            })
    }

    public func removeResetMail(id: Int64, completion: @escaping StoreCompletion<Bool>) {
        completion(
            apply { state in
                guard let index = state.outbox.firstIndex(where: { $0.id == id }) else { return false }
                state.outbox.remove(at: index)
                return true
            })
    }

    public var queueDepth: Int { 0 }

    public var status: StoreStatus { StoreStatus() }

    public func probe() {}

    public func close() {
        state.withLock { $0.closed = true }
    }

    /// Appends a user unless its email is taken under `unique`; the user, or nil when taken.
    private static func add(_ email: String, _ hashedPassword: String, unique: EmailComparison, to state: inout State)
        -> User?
    {
        let taken = state.users.contains { user in
            unique == .exact ? user.email == email : equalIgnoringCase(user.email, email)
        }
        guard !taken else { return nil }
        let user = User(id: (state.users.last?.id ?? 0) + 1, email: email, hashedPassword: hashedPassword)
        state.users.append(user)
        return user
    }

    /// ASCII case folding only, as SQLite's NOCASE: the two stores must agree (see `UserStore`).
    /// Byte for byte otherwise, like the exact lookups.
    private static func equalIgnoringCase(_ left: String, _ right: String) -> Bool {
        EmailComparison.caseFoldedKey(left).utf8.elementsEqual(EmailComparison.caseFoldedKey(right).utf8)
    }

    /// Runs `change` under the lock, on a copy committed only when it returns: a throwing change
    /// leaves the table as it was. The completion is called by the caller, after the lock is released.
    func apply<T>(_ change: (inout State) throws(StoreError) -> T) -> Result<T, StoreError> {
        state.withLock { state in
            guard !state.closed else { return .failure(.closed) }
            var draft = state
            do throws(StoreError) {
                let value = try change(&draft)
                state = draft
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
    }
}
