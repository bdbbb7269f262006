import CSQLite

/// The reset-mail outbox (`authd_outbox`) on the users table's connection: its statements, run
/// inside the same transactions. authd's own table; the seed's service never reads it. A row lives
/// from the reset request until the relay accepted the mail, refused it, or the token expired.
/// Not thread-safe: store thread only, as `SQLiteUsersTable`.
final class SQLiteOutbox {
    /// The table and its indexes (by due time for the delivery rounds, by user to replace a pending mail).
    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS authd_outbox (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, \
        recipient VARCHAR(250) NOT NULL, token VARCHAR(250) NOT NULL, requested_by TEXT NOT NULL, \
        created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, attempts INTEGER NOT NULL, \
        next_attempt_ms INTEGER NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS authd_outbox_next_attempt ON authd_outbox (next_attempt_ms)",
        "CREATE INDEX IF NOT EXISTS authd_outbox_user ON authd_outbox (user_id)",
        // One row that every reset request by mail rewrites, registered email or not, so that both
        // commit a write of the same shape (see `UserStore.issueResetTokenByMail`).
        "CREATE TABLE IF NOT EXISTS authd_reset_requests (id INTEGER PRIMARY KEY, requested_ms INTEGER NOT NULL)",
        // Reset mails per account (`ResetMailLimit`): one row per registered account ever mailed.
        """
        CREATE TABLE IF NOT EXISTS authd_reset_mail_limits (account TEXT PRIMARY KEY, \
        window_start_ms INTEGER NOT NULL, mails INTEGER NOT NULL, last_ms INTEGER NOT NULL)
        """,
    ]

    private static let columns = """
        id, user_id, recipient, token, requested_by, created_ms, expires_ms, attempts, next_attempt_ms
        """

    private let database: OpaquePointer
    private let insert: SQLiteStatement
    private let removeForUser: SQLiteStatement
    private let selectDue: SQLiteStatement
    private let count: SQLiteStatement
    private let selectNextAfter: SQLiteStatement
    private let setAttempt: SQLiteStatement
    private let remove: SQLiteStatement
    private let noteRequest: SQLiteStatement
    private let countMail: SQLiteStatement

    /// Prepares the statements; the tables exist already (`SQLiteSchema.prepare`).
    init(database: OpaquePointer) throws(StoreError) {
        func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
            try SQLiteStatement(database: database, sql: sql)
        }
        self.database = database
        insert = try prepare(
            """
            INSERT INTO authd_outbox (user_id, recipient, token, requested_by, created_ms, expires_ms, attempts, \
            next_attempt_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?5)
            """)
        removeForUser = try prepare("DELETE FROM authd_outbox WHERE user_id = ?1")
        selectDue = try prepare(
            "SELECT \(Self.columns) FROM authd_outbox WHERE next_attempt_ms <= ?1 ORDER BY next_attempt_ms, id LIMIT ?2"
        )
        count = try prepare("SELECT count(*) FROM authd_outbox")
        // The earliest attempt after the due ones returned: skipping them by rank keeps this one read.
        selectNextAfter = try prepare(
            "SELECT next_attempt_ms FROM authd_outbox ORDER BY next_attempt_ms, id LIMIT 1 OFFSET ?1")
        setAttempt = try prepare("UPDATE authd_outbox SET attempts = ?2, next_attempt_ms = ?3 WHERE id = ?1")
        remove = try prepare("DELETE FROM authd_outbox WHERE id = ?1")
        noteRequest = try prepare("INSERT OR REPLACE INTO authd_reset_requests (id, requested_ms) VALUES (1, ?1)")
        // `ResetMailLimit.admit` as one upsert: a refused mail changes no row. In DO UPDATE, the
        // columns named are the stored row's.
        countMail = try prepare(
            """
            INSERT INTO authd_reset_mail_limits (account, window_start_ms, mails, last_ms) VALUES (?1, ?2, 1, ?2) \
            ON CONFLICT (account) DO UPDATE SET \
            window_start_ms = CASE WHEN ?2 - window_start_ms >= ?3 THEN ?2 ELSE window_start_ms END, \
            mails = CASE WHEN ?2 - window_start_ms >= ?3 THEN 1 ELSE mails + 1 END, last_ms = ?2 \
            WHERE ?2 - last_ms >= ?5 AND (?2 - window_start_ms >= ?3 OR mails < ?4)
            """)
    }

    /// Counts one more mail to the account of `request` if its limit allows; false (nothing
    /// changed) when it does not.
    func countMail(_ request: ResetMailRequest) throws(StoreError) -> Bool {
        guard request.limit.mails > 0 else { return true }
        countMail.bind(1, text: request.account)
        countMail.bind(2, integer: request.createdAt)
        countMail.bind(3, integer: request.limit.window)
        countMail.bind(4, integer: Int64(request.limit.mails))
        countMail.bind(5, integer: request.limit.interval)
        return try run(countMail) > 0
    }

    /// Rewrites the request row (every request by mail does, registered email or not).
    func noteRequest(at milliseconds: Int64) throws(StoreError) {
        noteRequest.bind(1, integer: milliseconds)
        _ = try run(noteRequest)
    }

    /// Queues a mail of `request` to `user`, replacing the user's pending one; the mail as queued.
    func queue(_ request: ResetMailRequest, to user: User) throws(StoreError) -> OutboxMail {
        removeForUser.bind(1, integer: user.id)
        _ = try run(removeForUser)
        insert.bind(1, integer: user.id)
        insert.bind(2, text: user.email)
        insert.bind(3, text: request.mailedToken)
        insert.bind(4, text: request.requestedBy)
        insert.bind(5, integer: request.createdAt)
        insert.bind(6, integer: request.expiresAt)
        _ = try run(insert)
        return OutboxMail(
            id: sqlite3_last_insert_rowid(database), userID: user.id, recipient: user.email, token: request.mailedToken,
            requestedBy: request.requestedBy, createdAt: request.createdAt, expiresAt: request.expiresAt,
            nextAttemptAt: request.createdAt)
    }

    func pending(dueAt now: Int64?, limit: Int) throws(StoreError) -> OutboxSnapshot {
        var due: [OutboxMail] = []
        do {
            defer { selectDue.reset() }
            selectDue.bind(1, integer: now ?? Int64.max)
            selectDue.bind(2, integer: Int64(max(0, limit)))
            while try selectDue.step() {
                due.append(
                    OutboxMail(
                        id: selectDue.integer(at: 0), userID: selectDue.integer(at: 1),
                        recipient: selectDue.string(at: 2) ?? "",
                        token: selectDue.string(at: 3) ?? "", requestedBy: selectDue.string(at: 4) ?? "",
                        createdAt: selectDue.integer(at: 5), expiresAt: selectDue.integer(at: 6),
                        attempts: Int(selectDue.integer(at: 7)), nextAttemptAt: selectDue.integer(at: 8)))
            }
        }
        let pending: Int
        do {
            defer { count.reset() }
            _ = try count.step()
            pending = Int(count.integer(at: 0))
        }
        defer { selectNextAfter.reset() }
        selectNextAfter.bind(1, integer: Int64(due.count))
        let next = try selectNextAfter.step() ? selectNextAfter.integer(at: 0) : nil
        return OutboxSnapshot(due: due, pending: pending, nextAttemptAt: next)
    }

    /// Drops the pending mail of user `id`, whose reset token was just cleared (or who was removed).
    func dropMail(ofUser id: Int64) throws(StoreError) {
        removeForUser.bind(1, integer: id)
        _ = try run(removeForUser)
    }

    func deferMail(id: Int64, attempts: Int, nextAttemptAt: Int64) throws(StoreError) -> Bool {
        setAttempt.bind(1, integer: id)
        setAttempt.bind(2, integer: Int64(attempts))
        setAttempt.bind(3, integer: nextAttemptAt)
        return try run(setAttempt) > 0
    }

    func removeMail(id: Int64) throws(StoreError) -> Bool {
        remove.bind(1, integer: id)
        return try run(remove) > 0
    }

    /// Runs a bound statement that returns no rows; the number of rows it changed. Resets it.
    private func run(_ statement: SQLiteStatement) throws(StoreError) -> Int {
        defer { statement.reset() }
        _ = try statement.step()
        return Int(sqlite3_changes(database))
    }
}
