import Foundation
import Testing

/// The database a test gives authd: a fresh SQLite file, or a fresh PostgreSQL database (skipped,
/// saying so, without `AUTHD_TEST_POSTGRES_URL`).
enum DatabaseKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql

    var testDescription: String { rawValue }

    /// Runs `body` with the database's `--database` and a reader of its users table (each row
    /// `email|hash|session|token|session ms|token ms`, NULL as nothing), removing the database afterwards.
    func with(
        in folder: TemporaryFolder, _ body: (_ to: String, _ rows: () throws -> [String]) async throws -> Void
    ) async throws {
        let columns = "session_id, reset_token, authd_session_created_ms, authd_reset_token_created_ms"
        switch self {
        case .sqlite:
            let path = folder.url.appendingPathComponent("database.db").path
            try await body(path) {
                try sqliteLines(path, "SELECT email, CAST(hashed_password AS TEXT), \(columns) FROM users ORDER BY id")
            }
        case .postgresql:
            let database = try PostgreSQLDatabase()
            defer { database.remove() }
            try await body(database.url) {
                try database.lines("SELECT email, hashed_password, \(columns) FROM users ORDER BY id")
            }
        }
    }
}
