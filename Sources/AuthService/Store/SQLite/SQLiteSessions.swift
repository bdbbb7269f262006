import CSQLite

/// The sessions (`authd_sessions`) on the users table's connection: their statements, run inside
/// the same transactions, and the `users.session_id` column kept in step (see `SessionPersister`).
/// authd's own table; the seed's service never reads it. Not thread-safe: store thread only, as
/// `SQLiteUsersTable`.
final class SQLiteSessions {
    /// The table, keyed by the stored id without a rowid, and its indexes by handle and by user.
    /// It keeps a copy of its user's email (authd never rewrites a stored email, and a user's
    /// removal takes its sessions along): the lookup behind every request is then one B-tree
    /// descent, where a join with `users` cost 4 % more instructions per `GET /profile` (callgrind).
    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS authd_sessions (digest TEXT NOT NULL PRIMARY KEY, user_id INTEGER NOT NULL, \
        email TEXT NOT NULL, handle INTEGER NOT NULL, created_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL, \
        address TEXT NOT NULL, user_agent TEXT NOT NULL, assurance INTEGER NOT NULL DEFAULT 1) WITHOUT ROWID
        """,
        "CREATE UNIQUE INDEX IF NOT EXISTS authd_sessions_handle ON authd_sessions (handle)",
        "CREATE INDEX IF NOT EXISTS authd_sessions_user ON authd_sessions (user_id, last_seen_ms)",
    ]

    /// Ends the sessions whose user is gone or is another user now: the seed's service drops and
    /// recreates `users` when it starts, and SQLite then gives freed ids again. Run when the file
    /// is opened (authd, which adds its columns then, cannot serve a file recreated under it).
    static let purgeOrphans = """
        DELETE FROM authd_sessions WHERE NOT EXISTS (SELECT 1 FROM users \
        WHERE users.id = authd_sessions.user_id AND users.email = authd_sessions.email)
        """

    private static let columns = "handle, user_id, created_ms, last_seen_ms, address, user_agent, assurance"

    private let database: OpaquePointer
    private let selectHolder: SQLiteStatement
    private let insert: SQLiteStatement
    private let evict: SQLiteStatement
    private let selectByUser: SQLiteStatement
    private let selectByDigest: SQLiteStatement
    private let deleteByDigest: SQLiteStatement
    private let clearColumnForHandle: SQLiteStatement
    private let deleteByHandle: SQLiteStatement
    private let clearColumnExcept: SQLiteStatement
    private let deleteExcept: SQLiteStatement
    private let touch: SQLiteStatement
    private let renewColumn: SQLiteStatement
    private let renew: SQLiteStatement

    /// Prepares the statements; the tables exist already (`SQLiteSchema.prepare`).
    init(database: OpaquePointer) throws(StoreError) {
        func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
            try SQLiteStatement(database: database, sql: sql)
        }
        self.database = database
        selectHolder = try prepare(
            """
            SELECT user_id, email, created_ms, handle, last_seen_ms, assurance FROM authd_sessions WHERE digest = ?1
            """)
        insert = try prepare(
            """
            INSERT INTO authd_sessions (digest, user_id, email, handle, created_ms, last_seen_ms, address, \
            user_agent, assurance) SELECT ?1, ?2, email, ?3, ?4, ?5, ?6, ?7, ?8 FROM users WHERE id = ?2
            """)
        // The user's sessions but the newest `?3`, least recently seen first; `?2` is the one just made.
        evict = try prepare(
            """
            DELETE FROM authd_sessions WHERE digest IN (SELECT digest FROM authd_sessions \
            WHERE user_id = ?1 AND handle <> ?2 ORDER BY last_seen_ms DESC, created_ms DESC LIMIT -1 OFFSET ?3) \
            RETURNING handle, last_seen_ms, created_ms
            """)
        selectByUser = try prepare(
            "SELECT \(Self.columns) FROM authd_sessions WHERE user_id = ?1 ORDER BY created_ms DESC, handle")
        selectByDigest = try prepare("SELECT \(Self.columns) FROM authd_sessions WHERE digest = ?1")
        deleteByDigest = try prepare("DELETE FROM authd_sessions WHERE digest = ?1")
        clearColumnForHandle = try prepare(
            """
            UPDATE users SET session_id = NULL, authd_session_created_ms = NULL WHERE id = ?1 AND session_id = \
            (SELECT digest FROM authd_sessions WHERE handle = ?2 AND user_id = ?1)
            """)
        deleteByHandle = try prepare("DELETE FROM authd_sessions WHERE handle = ?1 AND user_id = ?2")
        // `IS NOT` so a NULL `?2` (keep none) clears whatever the column holds.
        clearColumnExcept = try prepare(
            """
            UPDATE users SET session_id = NULL, authd_session_created_ms = NULL WHERE id = ?1 \
            AND session_id IS NOT NULL AND session_id IS NOT (SELECT digest FROM authd_sessions WHERE handle = ?2)
            """)
        deleteExcept = try prepare(
            "DELETE FROM authd_sessions WHERE user_id = ?1 AND handle IS NOT ?2 RETURNING handle")
        touch = try prepare("UPDATE authd_sessions SET last_seen_ms = max(last_seen_ms, ?2) WHERE handle = ?1")
        renewColumn = try prepare(
            """
            UPDATE users SET session_id = ?3 WHERE id = ?1 AND session_id = \
            (SELECT digest FROM authd_sessions WHERE handle = ?2 AND user_id = ?1)
            """)
        renew = try prepare(
            "UPDATE authd_sessions SET digest = ?3, assurance = ?4 WHERE handle = ?2 AND user_id = ?1")
    }

    /// The holder of the session stored as `digest`; nil when no row has it.
    func holder(digest: String) throws(StoreError) -> SessionHolder? {
        try selectHolder.withText(1, bound: digest) { () throws(StoreError) -> SessionHolder? in
            guard try selectHolder.step() else { return nil }
            return SessionHolder(
                userID: selectHolder.integer(at: 0), email: selectHolder.string(at: 1) ?? "",
                sessionCreatedAt: selectHolder.integer(at: 2),
                handle: SessionHandle(rawValue: selectHolder.integer(at: 3)),
                lastSeenAt: selectHolder.integer(at: 4), assurance: AssuranceLevel(stored: selectHolder.integer(at: 5)))
        }
    }

    /// Adds the row of `session`, then ends the user's others beyond `limit - 1`; their handles,
    /// least recently seen first. The caller has checked that the user exists and sets its column.
    func start(_ session: Session, storedID: String, limit: Int) throws(StoreError) -> [SessionHandle] {
        insert.bind(1, text: storedID)
        insert.bind(2, integer: session.userID)
        insert.bind(3, integer: session.handle.rawValue)
        insert.bind(4, integer: session.createdAt)
        insert.bind(5, integer: session.lastSeenAt)
        insert.bind(6, text: session.address)
        insert.bind(7, text: session.userAgent)
        insert.bind(8, integer: session.assurance.rawValue)
        _ = try run(insert)
        defer { evict.reset() }
        evict.bind(1, integer: session.userID)
        evict.bind(2, integer: session.handle.rawValue)
        evict.bind(3, integer: Int64(max(0, limit - 1)))
        var ended: [(handle: SessionHandle, lastSeen: Int64, created: Int64)] = []
        while try evict.step() {
            ended.append((SessionHandle(rawValue: evict.integer(at: 0)), evict.integer(at: 1), evict.integer(at: 2)))
        }
        // RETURNING gives no order of its own.
        return ended.sorted { ($0.lastSeen, $0.created) < ($1.lastSeen, $1.created) }.map(\.handle)
    }

    /// The row stored as `digest`; nil when none.
    func session(digest: String) throws(StoreError) -> Session? {
        defer { selectByDigest.reset() }
        selectByDigest.bind(1, text: digest)
        guard try selectByDigest.step() else { return nil }
        return Self.session(at: selectByDigest)
    }

    /// Removes the row stored as `digest` (the caller clears the user's column).
    func remove(digest: String) throws(StoreError) {
        deleteByDigest.bind(1, text: digest)
        _ = try run(deleteByDigest)
    }

    func sessions(ofUser userID: Int64) throws(StoreError) -> [Session] {
        defer { selectByUser.reset() }
        selectByUser.bind(1, integer: userID)
        var found: [Session] = []
        while try selectByUser.step() {
            found.append(Self.session(at: selectByUser))
        }
        return found
    }

    func end(_ handle: SessionHandle, ofUser userID: Int64) throws(StoreError) -> Bool {
        clearColumnForHandle.bind(1, integer: userID)
        clearColumnForHandle.bind(2, integer: handle.rawValue)
        _ = try run(clearColumnForHandle)
        deleteByHandle.bind(1, integer: handle.rawValue)
        deleteByHandle.bind(2, integer: userID)
        return try run(deleteByHandle) > 0
    }

    func endAll(ofUser userID: Int64, keeping kept: SessionHandle?) throws(StoreError) -> [SessionHandle] {
        clearColumnExcept.bind(1, integer: userID)
        clearColumnExcept.bind(2, optionalInteger: kept?.rawValue)
        _ = try run(clearColumnExcept)
        defer { deleteExcept.reset() }
        deleteExcept.bind(1, integer: userID)
        deleteExcept.bind(2, optionalInteger: kept?.rawValue)
        var ended: [SessionHandle] = []
        while try deleteExcept.step() {
            ended.append(SessionHandle(rawValue: deleteExcept.integer(at: 0)))
        }
        return ended
    }

    func touch(_ handle: SessionHandle, at time: Int64) throws(StoreError) -> Bool {
        touch.bind(1, integer: handle.rawValue)
        touch.bind(2, integer: time)
        return try run(touch) > 0
    }

    func renew(
        _ handle: SessionHandle, ofUser userID: Int64, storedID: String, assurance: AssuranceLevel
    ) throws(StoreError) -> Bool {
        renewColumn.bind(1, integer: userID)
        renewColumn.bind(2, integer: handle.rawValue)
        renewColumn.bind(3, text: storedID)
        _ = try run(renewColumn)
        renew.bind(1, integer: userID)
        renew.bind(2, integer: handle.rawValue)
        renew.bind(3, text: storedID)
        renew.bind(4, integer: assurance.rawValue)
        return try run(renew) > 0
    }

    /// The current row of a SELECT of `columns`.
    private static func session(at statement: SQLiteStatement) -> Session {
        Session(
            handle: SessionHandle(rawValue: statement.integer(at: 0)), userID: statement.integer(at: 1),
            createdAt: statement.integer(at: 2), lastSeenAt: statement.integer(at: 3),
            address: statement.string(at: 4) ?? "", userAgent: statement.string(at: 5) ?? "",
            assurance: AssuranceLevel(stored: statement.integer(at: 6)))
    }

    /// Runs a bound statement; the number of rows it changed. Resets the statement.
    private func run(_ statement: SQLiteStatement) throws(StoreError) -> Int {
        defer { statement.reset() }
        _ = try statement.step()
        return Int(sqlite3_changes(database))
    }
}
