import CSQLite
import Foundation

/// A fresh directory under the system temp dir holding one database path; removed by `remove()`.
struct TemporaryDatabase {
    let directory: URL
    var path: String { directory.appendingPathComponent("users.db").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "authd-store-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a fresh database path and removes the directory afterwards.
    static func with<T>(_ body: (TemporaryDatabase) async throws -> T) async throws -> T {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        return try await body(database)
    }
}

/// A plain SQLite connection for the tests' own view of the file, independent of UserStore.
/// Opened in SQLite's default serialized mode, so any thread may use it.
final class RawSQLite: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let handle: OpaquePointer

    init(path: String) throws {
        var handle: OpaquePointer?
        guard
            sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
                == SQLITE_OK, let handle
        else {
            throw Failure(description: "cannot open \(path)")
        }
        self.handle = handle
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs `sql` (one or more statements) and fails on any error.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            defer { sqlite3_free(message) }
            throw Failure(description: message.map { String(cString: $0) } ?? "sqlite error")
        }
    }

    /// The rows of one query, each column as text (NULL as nil).
    func rows(_ sql: String) throws -> [[String?]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(description: String(cString: sqlite3_errmsg(handle)))
        }
        defer { sqlite3_finalize(statement) }
        var rows: [[String?]] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            rows.append(
                (0..<sqlite3_column_count(statement)).map { column in
                    sqlite3_column_text(statement, column).map { String(cString: $0) }
                })
        }
        return rows
    }

    /// The single value of a one-row, one-column query.
    func value(_ sql: String) throws -> String? {
        try rows(sql).first?.first ?? nil
    }
}

/// The seed's table exactly as SQLAlchemy creates it.
let seedSchema = """
    CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR(250) NOT NULL, hashed_password VARCHAR(250) NOT NULL, \
    session_id VARCHAR(250), reset_token VARCHAR(250), PRIMARY KEY (id))
    """

/// A SQL literal holding the bytes of `text` as a BLOB, as Python `bytes` are stored.
func blobLiteral(_ text: String) -> String {
    "X'" + text.utf8.map { String(format: "%02X", $0) }.joined() + "'"
}
