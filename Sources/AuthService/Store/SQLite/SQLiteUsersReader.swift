import CSQLite

/// Every row of the `users` table of a SQLite file authd or the seed's service wrote, read through
/// a read-only connection (`authd migrate --from`): nothing is created, upgraded or checkpointed, so
/// the file's bytes stay as they were. One SELECT, so one consistent snapshot, even while a server
/// writes to the file.
public enum SQLiteUsersReader {
    /// The users, oldest first, as `SQLiteUserStore` would read them; a seed-made file has no
    /// creation times (nil). `.cannotOpen` for a missing file or one without a `users` table.
    public static func users(inFileAt path: String, busyTimeoutMilliseconds: Int = 5000) throws(StoreError) -> [User] {
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_EXRESCODE, nil)
        defer { sqlite3_close_v2(handle) }
        guard code == SQLITE_OK, let handle else {
            throw .cannotOpen(
                location: path,
                reason: handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code)))
        }
        sqlite3_busy_timeout(handle, Int32(clamping: busyTimeoutMilliseconds))
        let present = try columns(of: handle)
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
        return users
    }

    /// The column names of `users`; empty when the file has no such table.
    private static func columns(of database: OpaquePointer) throws(StoreError) -> Set<String> {
        let statement = try SQLiteStatement(database: database, sql: "SELECT name FROM pragma_table_info('users')")
        var names: Set<String> = []
        while try statement.step() {
            if let name = statement.string(at: 0) { names.insert(name) }
        }
        return names
    }
}
