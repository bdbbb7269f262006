import Glibc

/// The operator's operations on the users table, for `authd users …` and `authd import`: the
/// same rules as the service (emails normalized and found as a login finds them, passwords checked
/// as at sign-up, hashes stored as the seed stores them), each waiting for the store's answer.
/// Blocking: call from a thread that may wait (a command's main thread), never the store's own.
public final class UserAdministration: Sendable {
    let store: any UserStore & SecondFactorStore

    /// Administers `store`; the caller opens and closes it.
    public init(store: any UserStore & SecondFactorStore) {
        self.store = store
    }

    /// Every user, oldest first.
    public func users() throws(AdminError) -> [User] {
        try wait { store.listUsers(completion: $0) }
    }

    /// The user an email names: normalized, then the exact stored spelling, else the one stored email
    /// equal ignoring case (as a login finds it).
    public func user(email given: String) throws(AdminError) -> User {
        let email: EmailAddress
        do { email = try EmailAddress(given) } catch { throw .invalidEmail(given, error) }
        if let user = try wait({ store.findUser(email: email.normalized, completion: $0) }) { return user }
        if let user = try wait({ store.findUser(emailIgnoringCase: email.normalized, completion: $0) }) { return user }
        throw .noSuchUser(email.normalized)
    }

    /// Deletes the user an email names (see `user(email:)`); the user as it was.
    public func deleteUser(email: String) throws(AdminError) -> User {
        let found = try user(email: email)
        guard let deleted = try wait({ store.deleteUser(id: found.id, completion: $0) }) else {
            throw .noSuchUser(found.email)
        }
        return deleted
    }

    /// Deletes user `id` whatever its stored email (one no email rule accepts, as the seed's
    /// service could store, cannot be named by email); the user as it was.
    public func deleteUser(id: Int64) throws(AdminError) -> User {
        guard let deleted = try wait({ store.deleteUser(id: id, completion: $0) }) else { throw .noSuchID(id) }
        return deleted
    }

    /// The sessions of the user an email names, newest first (never their secrets).
    public func sessions(email: String) throws(AdminError) -> (user: User, sessions: [Session]) {
        let found = try user(email: email)
        return (found, try wait({ store.sessions(ofUser: found.id, completion: $0) }))
    }

    /// Ends every session of the user an email names, in one step; the user as it was before, and
    /// how many sessions it had (one for a session only the seed's column held).
    public func endSessions(email: String) throws(AdminError) -> (user: User, ended: Int) {
        let found = try user(email: email)
        let listed = try wait({ store.sessions(ofUser: found.id, completion: $0) })
        guard let before = try wait({ store.endSessions(email: found.email, completion: $0) }) else {
            throw .noSuchUser(found.email)
        }
        let seedOnly = before.sessionID != nil && listed.isEmpty ? 1 : 0
        return (before, listed.count + seedOnly)
    }

    /// Gives the user an email names a new password, in NFC (`PasswordForm`), hashed with bcrypt at `cost`, checked by the
    /// rules of sign-up (`minimumLength` characters at least); its session and reset token end, as
    /// after a password update. Runs one bcrypt hash on this thread.
    public func setPassword(
        email: String, password typed: String, cost: Int, minimumLength: Int = 1
    ) throws(AdminError) -> User {
        let found = try user(email: email)
        let password = PasswordForm.new(typed)
        if password.isEmpty { throw .invalidPassword(.empty) }
        if password.unicodeScalars.count < minimumLength { throw .invalidPassword(.tooShort(minimum: minimumLength)) }
        let hash: String
        do {
            hash = try PasswordHasher().hash(password, cost: cost)
        } catch {
            switch error {
            case .passwordTooLong: throw .invalidPassword(.tooLong)
            case .passwordContainsNUL: throw .invalidPassword(.containsNUL)
            case .costOutOfRange: throw .hashFailed(EINVAL)
            case .cryptFailed(let code): throw .hashFailed(code)
            }
        }
        guard let changed = try wait({ store.setPasswordHash(email: found.email, to: hash, completion: $0) }) else {
            throw .noSuchUser(found.email)
        }
        return changed
    }

    /// Adds the good rows in one step and reports the others: emails normalized by the sign-up
    /// rules, hashes kept as given (so users moved from another system keep their passwords), an
    /// email equal ignoring case to an earlier row's or a stored one skipped. A store failure adds
    /// none of them.
    public func importUsers(_ rows: [ImportRow], rejected: [(line: Int, reason: ImportRejection)] = [])
        throws(AdminError) -> ImportReport
    {
        var skipped = rejected
        var candidates: [(line: Int, user: NewUser)] = []
        var firstLine: [String: Int] = [:]
        for row in rows {
            let email: EmailAddress
            do { email = try EmailAddress(row.email) } catch {
                skipped.append((row.line, .invalidEmail(error)))
                continue
            }
            guard PasswordHasher.isBcryptHash(row.hashedPassword) else {
                skipped.append((row.line, .notABcryptHash))
                continue
            }
            let key = EmailComparison.caseFoldedKey(email.normalized)
            if let earlier = firstLine[key] {
                skipped.append((row.line, .duplicateOfLine(earlier)))
                continue
            }
            firstLine[key] = row.line
            candidates.append((row.line, NewUser(email: email.normalized, hashedPassword: row.hashedPassword)))
        }
        let outcomes = try wait { store.addUsers(candidates.map(\.user), unique: .ignoringCase, completion: $0) }
        var added: [(line: Int, user: User)] = []
        for (candidate, outcome) in zip(candidates, outcomes) {
            if let user = outcome {
                added.append((candidate.line, user))
            } else {
                skipped.append((candidate.line, .alreadyRegistered))
            }
        }
        skipped.sort { $0.line < $1.line }
        return ImportReport(added: added, skipped: skipped)
    }

    /// Copies whole rows (as `SQLiteUsersReader` reads them from another file) in one step, all or
    /// nothing: see `UserStore.copyUsers`. Emails are copied as stored, not normalized, so a row
    /// the seed wrote keeps the spelling its user logs in with. Each row's second factor
    /// (`secondFactors[row.id]`) goes with it: its secret, sealed to the row's id and email, is
    /// opened with `keys` and sealed again under their current key to the id the row gets. The
    /// session of a row whose TOTP is enabled goes only if it had given the second factor: the
    /// row's column alone cannot say that the session waits for it, so in the target it would
    /// not. Before anything is written: `.sealingKeysNeeded` with second factors and no `keys`,
    /// `.secretDoesNotOpen` for the first secret that does not open.
    public func copyUsers(
        _ given: [User], secondFactors: [Int64: StoredSecondFactor] = [:], keys: SealingKeyring? = nil
    ) throws(AdminError) -> CopyReport {
        let rows = given.map { row in
            guard let stored = secondFactors[row.id], stored.totp.isEnabled, stored.sessionAssurance != .secondFactor
            else { return row }
            var kept = row
            kept.sessionID = nil
            kept.sessionCreatedAt = nil
            return kept
        }
        let carried = rows.filter { secondFactors[$0.id] != nil }
        if !carried.isEmpty && keys == nil { throw .sealingKeysNeeded(users: carried.count) }
        var copied: [Int64: CopiedSecondFactor] = [:]
        for row in carried {
            guard let keys, let stored = secondFactors[row.id] else { continue }
            guard let secret = keys.open(stored.totp.secret, for: .totpSecret(userID: row.id, email: row.email)) else {
                throw .secretDoesNotOpen(email: row.email)
            }
            let email = row.email
            copied[row.id] = CopiedSecondFactor(
                isEnabled: stored.totp.isEnabled, lastStep: stored.totp.lastStep,
                recoveryCodeDigests: stored.recoveryCodeDigests,
                seal: { id in try? keys.seal(secret, for: .totpSecret(userID: id, email: email)) })
        }
        let outcomes = try wait { store.copyUsers(rows, secondFactors: copied, completion: $0) }
        var report = CopyReport()
        for (row, outcome) in zip(rows, outcomes) {
            switch outcome {
            case .added:
                report.added.append(row)
                if copied[row.id]?.isEnabled == true { report.addedSecondFactors += 1 }
            case .alreadyPresent: report.alreadyPresent.append(row)
            case .conflict(let conflict): report.conflicts.append((row, conflict))
            }
        }
        return report
    }

    /// Starts a store operation and blocks until its completion runs.
    func wait<T: Sendable>(_ start: (@escaping StoreCompletion<T>) -> Void) throws(AdminError) -> T {
        let answer = Answer<T>()
        start { result in answer.deliver(result) }
        switch answer.value() {
        case .success(let value): return value
        case .failure(let error): throw .store(error)
        }
    }
}

/// One store answer, handed from the thread that completes to the thread that waits.
private final class Answer<T: Sendable>: @unchecked Sendable {
    // Guarded by `lock`.
    private var result: Result<T, StoreError>?
    private let lock = ConditionLock()

    func deliver(_ result: Result<T, StoreError>) {
        lock.withLock { self.result = result }
        lock.broadcast()
    }

    func value() -> Result<T, StoreError> {
        lock.withLock {
            while result == nil { lock.wait() }
            return result!
        }
    }
}
