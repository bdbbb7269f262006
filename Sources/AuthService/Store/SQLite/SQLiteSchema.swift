import CSQLite

/// Creates or upgrades the seed's `users` table in place: authd adds only nullable columns and
/// indexes of its own, so the seed's service keeps working on the same file. Never deletes data.
enum SQLiteSchema {
    /// authd's own columns (unix milliseconds, NULL when unknown); the seed's service ignores them.
    static let lifetimeColumns = ["authd_session_created_ms", "authd_reset_token_created_ms"]

    /// Sets the connection up and brings the schema to date; whether emails have a UNIQUE index
    /// (false when the file already held duplicate emails, so one could not be built).
    static func prepare(_ database: OpaquePointer) throws(StoreError) -> Bool {
        try execute("PRAGMA journal_mode=WAL", on: database)
        try execute("PRAGMA synchronous=FULL", on: database)
        try execute(
            """
            CREATE TABLE IF NOT EXISTS users (id INTEGER NOT NULL, email VARCHAR(250) NOT NULL, \
            hashed_password VARCHAR(250) NOT NULL, session_id VARCHAR(250), reset_token VARCHAR(250), \
            PRIMARY KEY (id))
            """, on: database)
        try addLifetimeColumns(on: database)
        try execute("CREATE INDEX IF NOT EXISTS authd_users_session_id ON users (session_id)", on: database)
        try execute("CREATE INDEX IF NOT EXISTS authd_users_reset_token ON users (reset_token)", on: database)
        // One row the health probe rewrites to learn whether the storage takes writes again.
        try execute(
            "CREATE TABLE IF NOT EXISTS authd_health (id INTEGER PRIMARY KEY, checked_ms INTEGER)", on: database)
        for statement in SQLiteOutbox.schema { try execute(statement, on: database) }
        for statement in SQLiteSessions.schema { try execute(statement, on: database) }
        try execute(SQLiteSessions.purgeOrphans, on: database)
        for statement in SQLiteSecondFactors.schema { try execute(statement, on: database) }
        // For the lookups ignoring case (`email = ? COLLATE NOCASE`). Not UNIQUE: a seed-made file may
        // hold emails differing only by case, and those rows are never rewritten.
        try execute("CREATE INDEX IF NOT EXISTS authd_users_email_nocase ON users (email COLLATE NOCASE)", on: database)
        return try createEmailIndex(on: database)
    }

    /// Runs one statement that returns no rows.
    static func execute(_ sql: String, on database: OpaquePointer) throws(StoreError) {
        let code = sqlite3_exec(database, sql, nil, nil, nil)
        guard code == SQLITE_OK else {
            throw SQLiteStatement.error(code: code, database: database)
        }
    }

    /// Nullable, so the seed's inserts, which name only its own columns, still work.
    private static func addLifetimeColumns(on database: OpaquePointer) throws(StoreError) {
        let statement = try SQLiteStatement(database: database, sql: "SELECT name FROM pragma_table_info('users')")
        var present: Set<String> = []
        while try statement.step() {
            if let name = statement.string(at: 0) { present.insert(name) }
        }
        for column in lifetimeColumns where !present.contains(column) {
            try execute("ALTER TABLE users ADD COLUMN \(column) INTEGER", on: database)
        }
    }

    /// A plain index instead when existing duplicate rows forbid the UNIQUE one.
    private static func createEmailIndex(on database: OpaquePointer) throws(StoreError) -> Bool {
        do {
            try execute("CREATE UNIQUE INDEX IF NOT EXISTS authd_users_email_unique ON users (email)", on: database)
            return true
        } catch .failure(code: SQLiteStatement.constraintUnique, message: _) {
            try execute("CREATE INDEX IF NOT EXISTS authd_users_email ON users (email)", on: database)
            return false
        }
    }
}
