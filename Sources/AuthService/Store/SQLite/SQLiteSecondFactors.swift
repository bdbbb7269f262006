import CSQLite

/// Users' TOTP secrets (`authd_totp`, sealed) and recovery codes (`authd_recovery_codes`, digests)
/// on the users table's connection: its statements, run inside the same transactions. authd's own
/// tables; the seed's service never reads them. Not thread-safe: store thread only, as
/// `SQLiteUsersTable`.
final class SQLiteSecondFactors {
    /// The tables. One TOTP row per user; `last_step` only grows (see `claimStep`).
    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS authd_totp (user_id INTEGER PRIMARY KEY, key_id TEXT NOT NULL, \
        sealed_secret TEXT NOT NULL, enabled INTEGER NOT NULL, last_step INTEGER)
        """,
        """
        CREATE TABLE IF NOT EXISTS authd_recovery_codes (user_id INTEGER NOT NULL, digest TEXT NOT NULL, \
        PRIMARY KEY (user_id, digest))
        """,
    ]

    private let database: OpaquePointer
    private let select: SQLiteStatement
    private let upsertPending: SQLiteStatement
    private let enable: SQLiteStatement
    private let claim: SQLiteStatement
    private let insertCode: SQLiteStatement
    private let useCode: SQLiteStatement
    private let removeCodes: SQLiteStatement
    private let remove: SQLiteStatement
    private let selectEnabled: SQLiteStatement
    private let selectKeyIDs: SQLiteStatement

    /// Prepares the statements; the tables exist already (`SQLiteSchema.prepare`).
    init(database: OpaquePointer) throws(StoreError) {
        func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
            try SQLiteStatement(database: database, sql: sql)
        }
        self.database = database
        select = try prepare(
            """
            SELECT key_id, sealed_secret, enabled, last_step, \
            (SELECT count(*) FROM authd_recovery_codes WHERE user_id = ?1) FROM authd_totp WHERE user_id = ?1
            """)
        // Only for a user that exists, and never over an enabled secret.
        upsertPending = try prepare(
            """
            INSERT INTO authd_totp (user_id, key_id, sealed_secret, enabled, last_step) \
            SELECT ?1, ?2, ?3, 0, NULL WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1) \
            ON CONFLICT (user_id) DO UPDATE SET key_id = excluded.key_id, sealed_secret = excluded.sealed_secret \
            WHERE enabled = 0
            """)
        enable = try prepare(
            """
            UPDATE authd_totp SET enabled = 1, last_step = ?4 \
            WHERE user_id = ?1 AND enabled = 0 AND key_id = ?2 AND sealed_secret = ?3
            """)
        claim = try prepare(
            """
            UPDATE authd_totp SET last_step = ?2 \
            WHERE user_id = ?1 AND enabled = 1 AND (last_step IS NULL OR last_step < ?2)
            """)
        insertCode = try prepare("INSERT OR IGNORE INTO authd_recovery_codes (user_id, digest) VALUES (?1, ?2)")
        useCode = try prepare("DELETE FROM authd_recovery_codes WHERE user_id = ?1 AND digest = ?2")
        removeCodes = try prepare("DELETE FROM authd_recovery_codes WHERE user_id = ?1")
        remove = try prepare("DELETE FROM authd_totp WHERE user_id = ?1")
        selectEnabled = try prepare("SELECT user_id FROM authd_totp WHERE enabled = 1")
        selectKeyIDs = try prepare("SELECT DISTINCT key_id FROM authd_totp WHERE enabled = 1")
    }

    func find(userID: Int64) throws(StoreError) -> TOTPRecord? {
        defer { select.reset() }
        select.bind(1, integer: userID)
        guard try select.step() else { return nil }
        return TOTPRecord(
            userID: userID, secret: SealedSecret(keyID: select.string(at: 0) ?? "", sealed: select.string(at: 1) ?? ""),
            isEnabled: select.integer(at: 2) != 0, lastStep: select.optionalInteger(at: 3),
            recoveryCodesLeft: Int(select.integer(at: 4)))
    }

    func setPending(userID: Int64, secret: SealedSecret) throws(StoreError) -> Bool {
        upsertPending.bind(1, integer: userID)
        upsertPending.bind(2, text: secret.keyID)
        upsertPending.bind(3, text: secret.sealed)
        return try run(upsertPending) > 0
    }

    func enable(userID: Int64, secret: SealedSecret, step: Int64, recoveryCodeDigests: [String]) throws(StoreError)
        -> Bool
    {
        enable.bind(1, integer: userID)
        enable.bind(2, text: secret.keyID)
        enable.bind(3, text: secret.sealed)
        enable.bind(4, integer: step)
        guard try run(enable) > 0 else { return false }
        try replaceCodes(userID: userID, with: recoveryCodeDigests)
        return true
    }

    func claimStep(userID: Int64, step: Int64) throws(StoreError) -> Bool {
        claim.bind(1, integer: userID)
        claim.bind(2, integer: step)
        return try run(claim) > 0
    }

    func useRecoveryCode(userID: Int64, digest: String) throws(StoreError) -> Bool {
        useCode.bind(1, integer: userID)
        useCode.bind(2, text: digest)
        return try run(useCode) > 0
    }

    /// Removes user `userID`'s TOTP and codes: it turned them off, was reset, or was removed.
    func remove(userID: Int64) throws(StoreError) -> Bool {
        removeCodes.bind(1, integer: userID)
        _ = try run(removeCodes)
        remove.bind(1, integer: userID)
        return try run(remove) > 0
    }

    func enabledUsers() throws(StoreError) -> Set<Int64> {
        defer { selectEnabled.reset() }
        var users: Set<Int64> = []
        while try selectEnabled.step() { users.insert(selectEnabled.integer(at: 0)) }
        return users
    }

    func keyIDs() throws(StoreError) -> Set<String> {
        defer { selectKeyIDs.reset() }
        var ids: Set<String> = []
        while try selectKeyIDs.step() { ids.insert(selectKeyIDs.string(at: 0) ?? "") }
        return ids
    }

    private func replaceCodes(userID: Int64, with digests: [String]) throws(StoreError) {
        removeCodes.bind(1, integer: userID)
        _ = try run(removeCodes)
        for digest in digests {
            insertCode.bind(1, integer: userID)
            insertCode.bind(2, text: digest)
            _ = try run(insertCode)
        }
    }

    /// Runs a bound statement that returns no rows; the number of rows it changed. Resets it.
    private func run(_ statement: SQLiteStatement) throws(StoreError) -> Int {
        defer { statement.reset() }
        _ = try statement.step()
        return Int(sqlite3_changes(database))
    }
}
