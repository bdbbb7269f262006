import CSQLite

/// Every row of the `users` table of a SQLite file authd or the seed's service wrote, with the
/// users' second factors, read through a read-only connection (`authd migrate --from`): nothing is
/// created, upgraded or checkpointed, so the file's bytes stay as they were. One read transaction,
/// so one consistent snapshot, even while a server writes to the file.
public enum SQLiteUsersReader {
    /// The users, oldest first, as `SQLiteUserStore` would read them (a seed-made file has no
    /// creation times: nil), and the second factors by user id, still sealed to those ids (none in
    /// a seed-made file). `.cannotOpen` for a missing file or one without a `users` table.
    public static func read(fileAt path: String, busyTimeoutMilliseconds: Int = 5000) throws(StoreError) -> (
        users: [User], secondFactors: [Int64: StoredSecondFactor]
    ) {
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_EXRESCODE, nil)
        defer { sqlite3_close_v2(handle) }
        guard code == SQLITE_OK, let handle else {
            throw .cannotOpen(
                location: path,
                reason: handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code)))
        }
        sqlite3_busy_timeout(handle, Int32(clamping: busyTimeoutMilliseconds))
        try SQLiteSchema.execute("BEGIN", on: handle)
        defer { _ = sqlite3_exec(handle, "COMMIT", nil, nil, nil) }
        let present = try columns(of: "users", in: handle)
        guard present.contains("email") else {
            throw .cannotOpen(location: path, reason: "no users table: not a database of authd or the seed")
        }
        // `SQLiteUsersTable.columns`, NULL standing in for authd's columns where the seed's file lacks them.
        let times = SQLiteSchema.lifetimeColumns.map { present.contains($0) ? $0 : "NULL" }.joined(separator: ", ")
        let select = try SQLiteStatement(
            database: handle,
            sql: "SELECT id, email, hashed_password, session_id, reset_token, \(times) FROM users ORDER BY id")
        var users: [User] = []
        while try select.step() { users.append(SQLiteUsersTable.user(at: select)) }
        return (users, try secondFactors(in: handle))
    }

    /// The TOTP records with their recovery-code digests by user id; none when the file has no
    /// `authd_totp` table (the seed's, or authd's from before second factors).
    private static func secondFactors(in database: OpaquePointer) throws(StoreError) -> [Int64: StoredSecondFactor] {
        guard try !columns(of: "authd_totp", in: database).isEmpty else { return [:] }
        var found: [Int64: StoredSecondFactor] = [:]
        let totp = try SQLiteStatement(
            database: database, sql: "SELECT user_id, key_id, sealed_secret, enabled, last_step FROM authd_totp")
        while try totp.step() {
            let userID = totp.integer(at: 0)
            let record = TOTPRecord(
                userID: userID, secret: SealedSecret(keyID: totp.string(at: 1) ?? "", sealed: totp.string(at: 2) ?? ""),
                isEnabled: totp.integer(at: 3) != 0, lastStep: totp.optionalInteger(at: 4), recoveryCodesLeft: 0)
            found[userID] = StoredSecondFactor(totp: record, recoveryCodeDigests: [])
        }
        let codes = try SQLiteStatement(
            database: database, sql: "SELECT user_id, digest FROM authd_recovery_codes ORDER BY user_id, digest")
        while try codes.step() {
            let userID = codes.integer(at: 0)
            // Codes exist only beside a TOTP record; any other would belong to no one.
            guard found[userID] != nil, let digest = codes.string(at: 1) else { continue }
            found[userID]?.recoveryCodeDigests.append(digest)
            found[userID]?.totp.recoveryCodesLeft += 1
        }
        guard try !columns(of: "authd_sessions", in: database).isEmpty else { return found }
        let sessions = try SQLiteStatement(
            database: database,
            sql: "SELECT u.id, s.assurance FROM users u JOIN authd_sessions s ON s.digest = u.session_id")
        while try sessions.step() {
            let userID = sessions.integer(at: 0)
            found[userID]?.sessionAssurance = AssuranceLevel(stored: sessions.integer(at: 1))
        }
        return found
    }

    /// The column names of `table`; empty when the file has no such table.
    private static func columns(of table: String, in database: OpaquePointer) throws(StoreError) -> Set<String> {
        let statement = try SQLiteStatement(database: database, sql: "SELECT name FROM pragma_table_info(?1)")
        statement.bind(1, text: table)
        var names: Set<String> = []
        while try statement.step() {
            if let name = statement.string(at: 0) { names.insert(name) }
        }
        return names
    }
}
