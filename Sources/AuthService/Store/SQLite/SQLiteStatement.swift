import CSQLite

/// One prepared statement, prepared once and reused: `reset()` after each use.
/// Not thread-safe: lives on the store thread with its connection.
final class SQLiteStatement {
    /// SQLITE_CONSTRAINT_UNIQUE, a macro Swift does not import: a UNIQUE index refused a row.
    static let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)

    private let database: OpaquePointer
    private let handle: OpaquePointer

    /// Prepares `sql` on `database` for repeated use.
    init(database: OpaquePointer, sql: String) throws(StoreError) {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw SQLiteStatement.error(code: code, database: database)
        }
        self.database = database
        self.handle = handle
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds UTF-8 text to the 1-based parameter `index`, or NULL for nil.
    func bind(_ index: Int32, text: String?) {
        guard let text else {
            sqlite3_bind_null(handle, index)
            return
        }
        // An explicit length keeps any embedded NUL instead of ending the text there.
        text.withCString { characters in
            _ = sqlite3_bind_text(handle, index, characters, Int32(text.utf8.count), csqlite_transient())
        }
    }

    /// Runs `body` with `text` bound to the parameter `index` where it lies, without the copy (an
    /// allocation) that `bind(_:text:)` has SQLite make; resets the statement and unbinds the
    /// parameter before returning, while `text` is still alive.
    func withText<T>(_ index: Int32, bound text: String, _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let result: Result<T, StoreError> = text.withCString { characters in
            // A nil destructor is SQLITE_STATIC: SQLite reads the bytes in place until unbound.
            _ = sqlite3_bind_text(handle, index, characters, Int32(text.utf8.count), nil)
            defer {
                sqlite3_reset(handle)
                sqlite3_bind_null(handle, index)
            }
            do throws(StoreError) {
                return .success(try body())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Binds the UTF-8 bytes of `text` as a BLOB (how the seed stores Python `bytes`), or NULL for nil.
    func bind(_ index: Int32, blobOf text: String?) {
        guard let text else {
            sqlite3_bind_null(handle, index)
            return
        }
        var utf8 = text
        utf8.withUTF8 { bytes in
            // A zero-length BLOB needs a non-null pointer or SQLite binds NULL.
            let start = bytes.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(bitPattern: 1)
            _ = sqlite3_bind_blob(handle, index, start, Int32(bytes.count), csqlite_transient())
        }
    }

    /// Binds an integer to the 1-based parameter `index`.
    func bind(_ index: Int32, integer: Int64) {
        sqlite3_bind_int64(handle, index, integer)
    }

    /// Binds an integer to the 1-based parameter `index`, or NULL for nil.
    func bind(_ index: Int32, optionalInteger: Int64?) {
        guard let optionalInteger else {
            sqlite3_bind_null(handle, index)
            return
        }
        sqlite3_bind_int64(handle, index, optionalInteger)
    }

    /// Runs one step: true when a row is ready to read, false when done.
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteStatement.error(code: code, database: database)
        }
    }

    /// Makes the statement ready for its next use. The bound values stay until rebound: every
    /// use binds all of its parameters, and clearing them cost ~300 instructions per lookup (callgrind).
    func reset() {
        sqlite3_reset(handle)
    }

    /// The integer in column `index` (0-based) of the current row.
    func integer(at index: Int32) -> Int64 {
        sqlite3_column_int64(handle, index)
    }

    /// The integer in column `index` (0-based) of the current row; nil for NULL.
    func optionalInteger(at index: Int32) -> Int64? {
        sqlite3_column_type(handle, index) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, index)
    }

    /// The bytes of column `index` as UTF-8, whether stored as TEXT or BLOB; nil for NULL.
    func string(at index: Int32) -> String? {
        guard sqlite3_column_type(handle, index) != SQLITE_NULL else { return nil }
        // For TEXT, sqlite3_column_blob returns the text bytes unconverted; for BLOB, the blob.
        let pointer = sqlite3_column_blob(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// The typed error for a failed SQLite call: busy or locked, full, read-only and I/O failures
    /// are told apart, since each asks for a different answer.
    static func error(code: Int32, database: OpaquePointer?) -> StoreError {
        let message =
            database.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        switch code & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_FULL: return .full
        case SQLITE_READONLY: return .readOnly
        case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_CORRUPT: return .unavailable(message: message)
        default: return .failure(code: code, message: message)
        }
    }
}
