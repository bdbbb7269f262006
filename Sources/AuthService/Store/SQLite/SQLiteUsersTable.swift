import CSQLite
import Glibc

/// The seed's `users` table in one SQLite connection: the store's operations as prepared statements.
/// Not thread-safe: after creation it is used only on the store thread (see SQLiteQueue), whose
/// write batches run inside one transaction, so an operation made of two statements is atomic.
final class SQLiteUsersTable {
    static let columns = """
        id, email, hashed_password, session_id, reset_token, authd_session_created_ms, \
        authd_reset_token_created_ms
        """

    let database: OpaquePointer
    private let insert: SQLiteStatement
    private let selectByEmail: SQLiteStatement
    private let selectByID: SQLiteStatement
    private let selectByEmailIgnoringCase: SQLiteStatement
    private let selectNewestHashes: SQLiteStatement
    private let replaceHash: SQLiteStatement
    private let selectBySession: SQLiteStatement
    private let selectSessionHolder: SQLiteStatement
    private let selectByResetToken: SQLiteStatement
    private let setSession: SQLiteStatement
    private let clearSession: SQLiteStatement
    private let setResetToken: SQLiteStatement
    private let clearResetToken: SQLiteStatement
    private let setPassword: SQLiteStatement
    private let selectAll: SQLiteStatement
    private let deleteByID: SQLiteStatement
    private let beginStatement: SQLiteStatement
    private let beginReadStatement: SQLiteStatement
    private let commitStatement: SQLiteStatement
    private let rollbackStatement: SQLiteStatement
    /// The reset-mail outbox, on this connection and in its transactions.
    let outbox: SQLiteOutbox
    /// The sessions, on this connection and in its transactions.
    let sessionRows: SQLiteSessions
    private let setPasswordKeepingSession: SQLiteStatement
    /// Users' TOTP secrets and recovery codes, on this connection and in its transactions.
    let secondFactors: SQLiteSecondFactors
    private var closed = false
    private let path: String
    /// Device and inode of the file opened, to notice it being removed or replaced.
    private let identity: FileIdentity?
    private var ping: SQLiteStatement?
    private var probeWrite: SQLiteStatement?
    /// False when the file already held duplicate emails, so the UNIQUE index could not be built:
    /// then `addUser` checks for the email itself, inside its transaction.
    let hasUniqueEmailIndex: Bool

    /// SQLite's memory statistics off, before its first use in the process: authd reads none of
    /// them, and keeping them takes a process-wide mutex twice per allocation, about 1,800
    /// instructions per session lookup (callgrind). Later calls (SQLite already running) change nothing.
    private static let memoryStatisticsOff: Void = { _ = csqlite_disable_memory_statistics() }()

    /// Opens or creates the database at `path` (a new file owner-only, see `OwnerOnlyFile`), in WAL
    /// mode with `synchronous=FULL`; never deletes data.
    init(path: String, busyTimeoutMilliseconds: Int, maxPages: Int? = nil) throws(StoreError) {
        Self.memoryStatisticsOff
        try OwnerOnlyFile.prepareDatabase(path)
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw .cannotOpen(location: path, reason: reason)
        }
        do {
            sqlite3_busy_timeout(handle, Int32(clamping: busyTimeoutMilliseconds))
            hasUniqueEmailIndex = try SQLiteSchema.prepare(handle)
            if let maxPages { try SQLiteSchema.execute("PRAGMA max_page_count = \(maxPages)", on: handle) }
            func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
                try SQLiteStatement(database: handle, sql: sql)
            }
            let select = "SELECT \(Self.columns) FROM users WHERE"
            insert = try prepare("INSERT INTO users (email, hashed_password) VALUES (?1, ?2)")
            selectByEmail = try prepare("\(select) email = ?1 ORDER BY id LIMIT 1")
            selectByID = try prepare("\(select) id = ?1")
            // Two rows are enough to tell one match from several.
            selectByEmailIgnoringCase = try prepare("\(select) email = ?1 COLLATE NOCASE ORDER BY id LIMIT 2")
            selectNewestHashes = try prepare("SELECT hashed_password FROM users ORDER BY id DESC LIMIT ?1")
            // Compared as bytes: the seed's hashes are BLOBs, and a TEXT one never equals a BLOB in SQLite.
            replaceHash = try prepare(
                "UPDATE users SET hashed_password = ?3 WHERE id = ?1 AND CAST(hashed_password AS BLOB) = ?2")
            // One value per lookup: `IN (?1, ?2)` would build an ephemeral table on every read.
            selectBySession = try prepare("\(select) session_id = ?1 ORDER BY id LIMIT 1")
            // Three columns, not seven: fewer to step over and decode on every authenticated request.
            // A session only the seed's column holds proved the password alone: not one of a user
            // whose second factor is on (the seed's service, sharing the file, knows none).
            selectSessionHolder = try prepare(
                """
                SELECT id, email, authd_session_created_ms FROM users WHERE session_id = ?1 \
                AND NOT EXISTS (SELECT 1 FROM authd_totp WHERE user_id = users.id AND enabled = 1) ORDER BY id LIMIT 1
                """)
            selectByResetToken = try prepare("\(select) reset_token = ?1 AND email = ?2 ORDER BY id LIMIT 1")
            setSession = try prepare(
                """
                UPDATE users SET session_id = ?2, authd_session_created_ms = ?3, reset_token = NULL, \
                authd_reset_token_created_ms = NULL WHERE id = ?1
                """)
            clearSession = try prepare(
                "UPDATE users SET session_id = NULL, authd_session_created_ms = NULL WHERE id = ?1 AND session_id = ?2")
            setResetToken = try prepare(
                "UPDATE users SET reset_token = ?2, authd_reset_token_created_ms = ?3 WHERE id = ?1")
            clearResetToken = try prepare(
                """
                UPDATE users SET reset_token = NULL, authd_reset_token_created_ms = NULL \
                WHERE id = ?1 AND reset_token = ?2
                """)
            setPassword = try prepare(
                """
                UPDATE users SET hashed_password = ?2, reset_token = NULL, authd_reset_token_created_ms = NULL, \
                session_id = NULL, authd_session_created_ms = NULL WHERE id = ?1
                """)
            selectAll = try prepare("SELECT \(Self.columns) FROM users ORDER BY id")
            deleteByID = try prepare("DELETE FROM users WHERE id = ?1")
            beginStatement = try prepare("BEGIN IMMEDIATE")
            beginReadStatement = try prepare("BEGIN")
            commitStatement = try prepare("COMMIT")
            rollbackStatement = try prepare("ROLLBACK")
            setPasswordKeepingSession = try prepare(
                """
                UPDATE users SET hashed_password = ?2, reset_token = NULL, authd_reset_token_created_ms = NULL \
                WHERE id = ?1
                """)
            outbox = try SQLiteOutbox(database: handle)
            sessionRows = try SQLiteSessions(database: handle)
            secondFactors = try SQLiteSecondFactors(database: handle)
        } catch {
            // SQLite's own words ("attempt to write a readonly database") say most to an operator.
            let reason = sqlite3_errmsg(handle).map { String(cString: $0) } ?? error.description
            sqlite3_close_v2(handle)
            throw .cannotOpen(location: path, reason: reason)
        }
        database = handle
        self.path = path
        identity = Self.identity(of: path)
    }

    deinit {
        close()
    }

    // MARK: operations (each runs inside the batch's transaction when it writes)

    func addUser(email: String, hashedPassword: String, unique: EmailComparison) throws(StoreError) -> User {
        // Inside the batch's write transaction (BEGIN IMMEDIATE): nobody can insert between the check and the insert.
        if unique == .ignoringCase, try !users(emailIgnoringCase: email).isEmpty { throw .duplicateEmail }
        if !hasUniqueEmailIndex, try findUser(email: email) != nil { throw .duplicateEmail }
        defer { insert.reset() }
        insert.bind(1, text: email)
        // Bytes, as the seed's SQLAlchemy model writes Python `bytes`: the seed can read it back.
        insert.bind(2, blobOf: hashedPassword)
        do {
            _ = try insert.step()
        } catch .failure(code: SQLiteStatement.constraintUnique, message: _) {
            throw .duplicateEmail
        }
        return User(id: sqlite3_last_insert_rowid(database), email: email, hashedPassword: hashedPassword)
    }

    func findUser(email: String) throws(StoreError) -> User? {
        selectByEmail.bind(1, text: email)
        return try row(of: selectByEmail)
    }

    func findUser(id: Int64) throws(StoreError) -> User? {
        selectByID.bind(1, integer: id)
        return try row(of: selectByID)
    }

    func findUser(emailIgnoringCase email: String) throws(StoreError) -> User? {
        let found = try users(emailIgnoringCase: email)
        return found.count == 1 ? found[0] : nil
    }

    func replacePasswordHash(userID: Int64, from old: String, to new: String) throws(StoreError) -> Bool {
        replaceHash.bind(1, integer: userID)
        replaceHash.bind(2, blobOf: old)
        // Bytes, as the seed writes them (see addUser).
        replaceHash.bind(3, blobOf: new)
        return try run(replaceHash) > 0
    }

    func newestPasswordHashes(limit: Int) throws(StoreError) -> [String] {
        defer { selectNewestHashes.reset() }
        selectNewestHashes.bind(1, integer: Int64(max(0, limit)))
        var hashes: [String] = []
        while try selectNewestHashes.step() {
            hashes.append(selectNewestHashes.string(at: 0) ?? "")
        }
        return hashes
    }

    /// The user whose session row the key names, else whose `session_id` column holds it.
    func findUser(holding key: SecretKey) throws(StoreError) -> User? {
        for digest in [key.stored, key.legacy].compactMap({ $0 }) {
            if let session = try sessionRows.session(digest: digest) { return try findUser(id: session.userID) }
        }
        return try findUser(sessionID: key)
    }

    /// The user whose `session_id` column holds the key.
    /// By the stored form (one indexed read for every session authd made), then, only for a miss
    /// with a seed-shaped value, by the raw value a seed-made row holds.
    func findUser(sessionID: SecretKey) throws(StoreError) -> User? {
        selectBySession.bind(1, text: sessionID.stored)
        if let user = try row(of: selectBySession, sessionID: sessionID.stored) { return user }
        guard let legacy = sessionID.legacy else { return nil }
        selectBySession.bind(1, text: legacy)
        return try row(of: selectBySession, sessionID: legacy)
    }

    /// The holder of the session row stored as the key, else of the user whose `session_id` column
    /// holds it (see `SessionPersister.findSession`).
    func findSession(_ key: SecretKey) throws(StoreError) -> SessionHolder? {
        if let holder = try sessionRows.holder(digest: key.stored) { return holder }
        if let holder = try sessionHolder(bySessionID: key.stored) { return holder }
        guard let legacy = key.legacy else { return nil }
        return try sessionHolder(bySessionID: legacy)
    }

    private func sessionHolder(bySessionID sessionID: String) throws(StoreError) -> SessionHolder? {
        try selectSessionHolder.withText(1, bound: sessionID) { () throws(StoreError) -> SessionHolder? in
            guard try selectSessionHolder.step() else { return nil }
            return SessionHolder(
                userID: selectSessionHolder.integer(at: 0), email: selectSessionHolder.string(at: 1) ?? "",
                sessionCreatedAt: selectSessionHolder.optionalInteger(at: 2))
        }
    }

    func findUser(resetToken: SecretKey, email: String) throws(StoreError) -> User? {
        if let user = try findUser(resetToken: resetToken.stored, email: email) { return user }
        guard let legacy = resetToken.legacy else { return nil }
        return try findUser(resetToken: legacy, email: email)
    }

    private func findUser(resetToken: String, email: String) throws(StoreError) -> User? {
        selectByResetToken.bind(1, text: resetToken)
        selectByResetToken.bind(2, text: email)
        return try row(of: selectByResetToken)
    }

    func startSession(_ session: Session, storedID: String, limit: Int) throws(StoreError) -> [SessionHandle]? {
        setSession.bind(1, integer: session.userID)
        setSession.bind(2, text: storedID)
        setSession.bind(3, integer: session.createdAt)
        guard try run(setSession) > 0 else { return nil }
        try outbox.dropMail(ofUser: session.userID)
        return try sessionRows.start(session, storedID: storedID, limit: limit)
    }

    /// The session row the key names, else the `session_id` column holding it; ends both.
    func endSession(_ key: SecretKey) throws(StoreError) -> EndedSession? {
        var row: (digest: String, session: Session)?
        for digest in [key.stored, key.legacy].compactMap({ $0 }) where row == nil {
            row = try sessionRows.session(digest: digest).map { (digest, $0) }
        }
        if let row {
            guard var user = try findUser(id: row.session.userID) else { return nil }
            try sessionRows.remove(digest: row.digest)
            if user.sessionID == row.digest {
                clearSession.bind(1, integer: user.id)
                clearSession.bind(2, text: row.digest)
                _ = try run(clearSession)
            }
            user.sessionID = row.digest
            user.sessionCreatedAt = row.session.createdAt
            return EndedSession(user: user, handle: row.session.handle)
        }
        guard let user = try findUser(sessionID: key) else { return nil }
        clearSession.bind(1, integer: user.id)
        clearSession.bind(2, text: user.sessionID)
        _ = try run(clearSession)
        return EndedSession(user: user, handle: nil)
    }

    func issueResetToken(email: String, token: String, createdAt: Int64) throws(StoreError) -> User? {
        guard var user = try findUser(email: email) else { return nil }
        setResetToken.bind(1, integer: user.id)
        setResetToken.bind(2, text: token)
        setResetToken.bind(3, integer: createdAt)
        _ = try run(setResetToken)
        user.resetToken = token
        user.resetTokenCreatedAt = createdAt
        return user
    }

    /// See `UserStore.issueResetTokenByMail`: one write (the request row) whatever the email, then
    /// for a registered one within its limit the count, the token and the mail.
    func issueResetTokenByMail(_ request: ResetMailRequest) throws(StoreError) -> OutboxMail? {
        try outbox.noteRequest(at: request.createdAt)
        var named = try findUser(email: request.email)
        if named == nil { named = try findUser(emailIgnoringCase: request.email) }
        guard let named, try outbox.countMail(request) else { return nil }
        setResetToken.bind(1, integer: named.id)
        setResetToken.bind(2, text: request.storedToken)
        setResetToken.bind(3, integer: request.createdAt)
        _ = try run(setResetToken)
        return try outbox.queue(request, to: named)
    }

    func clearResetToken(_ token: SecretKey, email: String) throws(StoreError) -> Bool {
        guard let user = try findUser(resetToken: token, email: email) else { return false }
        clearResetToken.bind(1, integer: user.id)
        clearResetToken.bind(2, text: user.resetToken)
        guard try run(clearResetToken) > 0 else { return false }
        try outbox.dropMail(ofUser: user.id)
        return true
    }

    func consumeResetToken(
        _ token: SecretKey, email: String, newHashedPassword: String, endingSessions: Bool
    ) throws(StoreError) -> User? {
        guard var user = try findUser(resetToken: token, email: email) else { return nil }
        let statement = endingSessions ? setPassword : setPasswordKeepingSession
        statement.bind(1, integer: user.id)
        statement.bind(2, blobOf: newHashedPassword)
        _ = try run(statement)
        try outbox.dropMail(ofUser: user.id)
        if endingSessions { _ = try sessionRows.endAll(ofUser: user.id, keeping: nil) }
        user.replacePassword(with: newHashedPassword, endingSessions: endingSessions)
        return user
    }

    func listUsers() throws(StoreError) -> [User] {
        defer { selectAll.reset() }
        var users: [User] = []
        while try selectAll.step() {
            users.append(Self.user(at: selectAll))
        }
        return users
    }

    func deleteUser(id: Int64) throws(StoreError) -> User? {
        guard let user = try findUser(id: id) else { return nil }
        deleteByID.bind(1, integer: user.id)
        _ = try run(deleteByID)
        try outbox.dropMail(ofUser: user.id)
        _ = try sessionRows.endAll(ofUser: user.id, keeping: nil)
        // Its id may be given again (SQLite reuses the highest rowid once freed).
        _ = try secondFactors.remove(userID: user.id)
        return user
    }

    func endSessions(email: String) throws(StoreError) -> User? {
        guard let user = try findUser(email: email) else { return nil }
        _ = try sessionRows.endAll(ofUser: user.id, keeping: nil)
        return user
    }

    func setPasswordHash(email: String, to hash: String) throws(StoreError) -> User? {
        guard var user = try findUser(email: email) else { return nil }
        setPassword.bind(1, integer: user.id)
        // Bytes, as the seed writes them (see addUser).
        setPassword.bind(2, blobOf: hash)
        _ = try run(setPassword)
        try outbox.dropMail(ofUser: user.id)
        _ = try sessionRows.endAll(ofUser: user.id, keeping: nil)
        user.replacePassword(with: hash)
        return user
    }

    /// Inside a savepoint of the batch's transaction: a failure part-way undoes this job's rows
    /// only, where the batch would otherwise commit the rows added before it.
    func addUsers(_ users: [NewUser], unique: EmailComparison) throws(StoreError) -> [User?] {
        try SQLiteSchema.execute("SAVEPOINT authd_add_users", on: database)
        do {
            var added: [User?] = []
            added.reserveCapacity(users.count)
            for new in users {
                do {
                    added.append(try addUser(email: new.email, hashedPassword: new.hashedPassword, unique: unique))
                } catch .duplicateEmail {
                    added.append(nil)
                }
            }
            try SQLiteSchema.execute("RELEASE authd_add_users", on: database)
            return added
        } catch {
            if isInTransaction {
                _ = sqlite3_exec(database, "ROLLBACK TO authd_add_users; RELEASE authd_add_users", nil, nil, nil)
            }
            throw error
        }
    }

    // MARK: health

    /// Whether the path still names the file that was opened. SQLite keeps writing into a
    /// removed file's inode, where every row would vanish at exit, so authd checks for itself.
    var fileIsStillThere: Bool {
        guard let identity else { return true }
        return Self.identity(of: path) == identity
    }

    /// A trivial query: the store answers at all.
    func answersQuery() throws(StoreError) {
        if ping == nil { ping = try SQLiteStatement(database: database, sql: "SELECT 1") }
        defer { ping?.reset() }
        _ = try ping?.step()
    }

    /// One small write in the current transaction: whether the storage takes writes again.
    func writeHealthCheck(at milliseconds: Int64) throws(StoreError) {
        if probeWrite == nil {
            probeWrite = try SQLiteStatement(
                database: database, sql: "INSERT OR REPLACE INTO authd_health (id, checked_ms) VALUES (1, ?1)")
        }
        guard let probeWrite else { return }
        probeWrite.bind(1, integer: milliseconds)
        _ = try run(probeWrite)
    }

    // MARK: transactions

    /// Starts a write transaction, taking the write lock now (waits up to the busy timeout).
    func begin() throws(StoreError) {
        defer { beginStatement.reset() }
        _ = try beginStatement.step()
    }

    /// Starts a transaction that takes no lock until its first read, and only a read lock for reads.
    func beginRead() throws(StoreError) {
        defer { beginReadStatement.reset() }
        _ = try beginReadStatement.step()
    }

    /// Commits the open transaction; when this returns, the writes are durable (`synchronous=FULL`).
    func commit() throws(StoreError) {
        defer { commitStatement.reset() }
        _ = try commitStatement.step()
    }

    /// Abandons the open transaction, if SQLite has not already done so.
    func rollback() {
        guard isInTransaction else { return }
        defer { rollbackStatement.reset() }
        _ = try? rollbackStatement.step()
    }

    /// True between `begin()` and `commit()`/`rollback()`; false also after SQLite rolled back by itself.
    var isInTransaction: Bool {
        sqlite3_get_autocommit(database) == 0
    }

    /// Checkpoints and truncates the WAL, then closes the connection. Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        rollback()
        _ = sqlite3_exec(database, "PRAGMA wal_checkpoint(TRUNCATE)", nil, nil, nil)
        // The statements are finalized when this object goes; close_v2 defers until then.
        sqlite3_close_v2(database)
    }

    // MARK: statements

    /// The first row of a bound SELECT as a User; nil when it has none. Resets the statement.
    /// `sessionID`: the text a `session_id = ?1` lookup bound, which the row then holds byte for byte
    /// (BINARY collation, and a BLOB never equals TEXT), so it is not read back: one String less.
    private func row(of statement: SQLiteStatement, sessionID: String? = nil) throws(StoreError) -> User? {
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return Self.user(at: statement, sessionID: sessionID)
    }

    /// The current row of a SELECT of `columns` as a User.
    static func user(at statement: SQLiteStatement, sessionID: String? = nil) -> User {
        User(
            id: statement.integer(at: 0),
            email: statement.string(at: 1) ?? "",
            hashedPassword: statement.string(at: 2) ?? "",
            sessionID: sessionID ?? statement.string(at: 3),
            resetToken: statement.string(at: 4),
            sessionCreatedAt: statement.optionalInteger(at: 5),
            resetTokenCreatedAt: statement.optionalInteger(at: 6))
    }

    private static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// The first two users whose email equals `email` ignoring ASCII case (SQLite's NOCASE), oldest first.
    private func users(emailIgnoringCase email: String) throws(StoreError) -> [User] {
        defer { selectByEmailIgnoringCase.reset() }
        selectByEmailIgnoringCase.bind(1, text: email)
        var found: [User] = []
        while try selectByEmailIgnoringCase.step() {
            found.append(Self.user(at: selectByEmailIgnoringCase))
        }
        return found
    }

    /// Runs a bound UPDATE; the number of rows it changed. Resets the statement.
    private func run(_ statement: SQLiteStatement) throws(StoreError) -> Int {
        defer { statement.reset() }
        _ = try statement.step()
        return Int(sqlite3_changes(database))
    }
}

/// Which file a path named: device and inode.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
}
