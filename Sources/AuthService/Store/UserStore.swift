import CSQLite

/// The seed's DB class: the `users` table in one SQLite connection.
/// Not thread-safe: after creation it is used only on the store thread (see StoreQueue).
final class UserStore {
    private static let selectColumns = """
        SELECT id, email, hashed_password, session_id, reset_token, authd_session_created_ms, \
        authd_reset_token_created_ms FROM users
        """

    private let database: OpaquePointer
    private let insertStatement: SQLiteStatement
    private let beginStatement: SQLiteStatement
    private let commitStatement: SQLiteStatement
    private let rollbackStatement: SQLiteStatement
    // Keyed by the bit set of columns named, so each distinct lookup or update is prepared once.
    private var findStatements: [UInt8: SQLiteStatement] = [:]
    private var updateStatements: [UInt8: SQLiteStatement] = [:]
    private var closed = false
    /// False when the file already held duplicate emails, so the UNIQUE index could not be built:
    /// then `add` checks for the email itself, inside its transaction.
    let hasUniqueEmailIndex: Bool

    /// Opens or creates the database at `path`, in WAL mode with `synchronous=FULL`; never deletes data.
    init(path: String, busyTimeoutMilliseconds: Int = 5000) throws(UserStoreError) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw .cannotOpen(path: path, reason: reason)
        }
        do {
            sqlite3_busy_timeout(handle, Int32(clamping: busyTimeoutMilliseconds))
            try UserStore.execute("PRAGMA journal_mode=WAL", on: handle)
            try UserStore.execute("PRAGMA synchronous=FULL", on: handle)
            try UserStore.execute("""
                CREATE TABLE IF NOT EXISTS users (id INTEGER NOT NULL, email VARCHAR(250) NOT NULL, \
                hashed_password VARCHAR(250) NOT NULL, session_id VARCHAR(250), reset_token VARCHAR(250), \
                PRIMARY KEY (id))
                """, on: handle)
            try UserStore.addLifetimeColumns(on: handle)
            try UserStore.execute("CREATE INDEX IF NOT EXISTS authd_users_session_id ON users (session_id)", on: handle)
            try UserStore.execute("CREATE INDEX IF NOT EXISTS authd_users_reset_token ON users (reset_token)", on: handle)
            hasUniqueEmailIndex = try UserStore.createEmailIndex(on: handle)
            insertStatement = try SQLiteStatement(
                database: handle, sql: "INSERT INTO users (email, hashed_password) VALUES (?, ?)")
            beginStatement = try SQLiteStatement(database: handle, sql: "BEGIN IMMEDIATE")
            commitStatement = try SQLiteStatement(database: handle, sql: "COMMIT")
            rollbackStatement = try SQLiteStatement(database: handle, sql: "ROLLBACK")
        } catch {
            sqlite3_close_v2(handle)
            let reason = switch error {
            case let .sqlite(_, message): message
            default: error.description
            }
            throw .cannotOpen(path: path, reason: reason)
        }
        database = handle
    }

    deinit {
        close()
    }

    /// Inserts a user and returns it with its new id; `hashedPassword` is written as a BLOB, as the seed does.
    func add(email: String, hashedPassword: String) throws(UserStoreError) -> User {
        if !hasUniqueEmailIndex, try findUser(where: [(.email, email)]) != nil {
            throw .duplicateEmail
        }
        defer { insertStatement.reset() }
        insertStatement.bind(1, text: email)
        insertStatement.bind(2, blobOf: hashedPassword)
        do {
            _ = try insertStatement.step()
        } catch .sqlite(code: SQLiteStatement.constraintUnique, message: _) {
            throw .duplicateEmail
        }
        return User(id: sqlite3_last_insert_rowid(database), email: email, hashedPassword: hashedPassword)
    }

    /// The first user whose named columns equal the given values (seed attribute names); nil when none.
    func findUser(by criteria: [(column: String, value: String)]) throws(UserStoreError) -> User? {
        var typed: [(UserColumn, String)] = []
        for criterion in criteria {
            typed.append((try UserColumn(name: criterion.column), criterion.value))
        }
        return try findUser(where: typed)
    }

    /// The first user whose columns equal the given values; nil when none.
    func findUser(where criteria: [(UserColumn, String)]) throws(UserStoreError) -> User? {
        let columns = try UserStore.columnSet(criteria.lazy.map(\.0))
        let statement = try findStatement(for: columns)
        defer { statement.reset() }
        // Parameters are numbered by column, so the caller's order does not matter.
        for (column, value) in criteria {
            let index = Int32(column.rawValue + 1)
            switch column {
            case .id, .sessionCreatedAt, .resetTokenCreatedAt:
                guard let number = Int64(value) else { return nil }
                statement.bind(index, integer: number)
            case .hashedPassword: statement.bind(index, blobOf: value)
            case .email, .sessionID, .resetToken: statement.bind(index, text: value)
            }
        }
        guard try statement.step() else { return nil }
        return User(
            id: statement.integer(at: 0),
            email: statement.string(at: 1) ?? "",
            hashedPassword: statement.string(at: 2) ?? "",
            sessionID: statement.string(at: 3),
            resetToken: statement.string(at: 4),
            sessionCreatedAt: statement.optionalInteger(at: 5),
            resetTokenCreatedAt: statement.optionalInteger(at: 6))
    }

    /// Sets the named columns (seed attribute names) of user `id`; nil writes NULL.
    func updateUser(id: Int64, set changes: [(column: String, value: String?)]) throws(UserStoreError) {
        var typed: [(UserColumn, String?)] = []
        for change in changes {
            typed.append((try UserColumn(name: change.column), change.value))
        }
        try updateUser(id: id, set: typed)
    }

    /// Sets the given columns of user `id`; nil writes NULL. Updating no existing row is not an error.
    func updateUser(id: Int64, set changes: [(UserColumn, String?)]) throws(UserStoreError) {
        if changes.contains(where: { $0.0 == .id }) {
            throw .notUpdatable(UserColumn.id.name)
        }
        let columns = try UserStore.columnSet(changes.lazy.map(\.0))
        let statement = try updateStatement(for: columns)
        defer { statement.reset() }
        for (column, value) in changes {
            let index = Int32(column.rawValue + 1)
            if column == .hashedPassword {
                statement.bind(index, blobOf: value)
            } else if column.holdsInteger {
                if let number = value.flatMap({ Int64($0) }) {
                    statement.bind(index, integer: number)
                } else {
                    statement.bind(index, text: nil)
                }
            } else {
                statement.bind(index, text: value)
            }
        }
        statement.bind(Int32(UserColumn.allCases.count + 1), integer: id)
        do {
            _ = try statement.step()
        } catch .sqlite(code: SQLiteStatement.constraintUnique, message: _) {
            throw .duplicateEmail
        }
    }

    /// Starts a write transaction, taking the write lock now (waits up to the busy timeout).
    func begin() throws(UserStoreError) {
        defer { beginStatement.reset() }
        _ = try beginStatement.step()
    }

    /// Commits the open transaction; when this returns, the writes are durable (`synchronous=FULL`).
    func commit() throws(UserStoreError) {
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
        findStatements.removeAll()
        updateStatements.removeAll()
        // Remaining statements are finalized when this object goes; close_v2 defers until then.
        sqlite3_close_v2(database)
    }

    private func findStatement(for columns: UInt8) throws(UserStoreError) -> SQLiteStatement {
        if let statement = findStatements[columns] { return statement }
        let conditions = UserColumn.allCases.filter { columns & $0.bit != 0 }.map { column in
            // CAST matches a hash stored as TEXT or as BLOB: both become the same bytes.
            column == .hashedPassword
                ? "CAST(hashed_password AS BLOB) = ?\(column.rawValue + 1)"
                : "\(column.name) = ?\(column.rawValue + 1)"
        }
        let sql = "\(UserStore.selectColumns) WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT 1"
        let statement = try SQLiteStatement(database: database, sql: sql)
        findStatements[columns] = statement
        return statement
    }

    private func updateStatement(for columns: UInt8) throws(UserStoreError) -> SQLiteStatement {
        if let statement = updateStatements[columns] { return statement }
        let assignments = UserColumn.allCases.filter { columns & $0.bit != 0 }.map { "\($0.name) = ?\($0.rawValue + 1)" }
        let sql = "UPDATE users SET \(assignments.joined(separator: ", ")) WHERE id = ?\(UserColumn.allCases.count + 1)"
        let statement = try SQLiteStatement(database: database, sql: sql)
        updateStatements[columns] = statement
        return statement
    }

    private static func columnSet(_ columns: some Sequence<UserColumn>) throws(UserStoreError) -> UInt8 {
        var set: UInt8 = 0
        for column in columns {
            guard set & column.bit == 0 else { throw .invalidColumnSet }
            set |= column.bit
        }
        guard set != 0 else { throw .invalidColumnSet }
        return set
    }

    /// Adds authd's nullable lifetime columns when missing; nullable, so the seed's inserts still work.
    private static func addLifetimeColumns(on database: OpaquePointer) throws(UserStoreError) {
        let statement = try SQLiteStatement(database: database, sql: "SELECT name FROM pragma_table_info('users')")
        var present: Set<String> = []
        while try statement.step() {
            if let name = statement.string(at: 0) { present.insert(name) }
        }
        for column in [UserColumn.sessionCreatedAt, .resetTokenCreatedAt] where !present.contains(column.name) {
            try execute("ALTER TABLE users ADD COLUMN \(column.name) INTEGER", on: database)
        }
    }

    /// Builds the UNIQUE index on email; false when existing duplicate rows forbid it (a plain index instead).
    private static func createEmailIndex(on database: OpaquePointer) throws(UserStoreError) -> Bool {
        do {
            try execute("CREATE UNIQUE INDEX IF NOT EXISTS authd_users_email_unique ON users (email)", on: database)
            return true
        } catch .sqlite(code: SQLiteStatement.constraintUnique, message: _) {
            try execute("CREATE INDEX IF NOT EXISTS authd_users_email ON users (email)", on: database)
            return false
        }
    }

    private static func execute(_ sql: String, on database: OpaquePointer) throws(UserStoreError) {
        let code = sqlite3_exec(database, sql, nil, nil, nil)
        guard code == SQLITE_OK else {
            throw SQLiteStatement.error(code: code, database: database)
        }
    }
}
