import CPostgres
import Foundation
import Testing

@testable import AuthService

/// A fresh database on the test server named by `AUTHD_TEST_POSTGRES_URL` (an admin URL such as
/// `postgresql://postgres@127.0.0.1:PORT/postgres`), dropped afterwards: test cases run in
/// parallel, so each gets its own. Without the variable a case skips, unless
/// `AUTHD_REQUIRE_POSTGRES=1` or `CI=true`, where that is a failure.
struct TemporaryPostgreSQL {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The admin URL, or a skip (a failure when PostgreSQL is required).
    static func serverURL() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["AUTHD_TEST_POSTGRES_URL"], !url.isEmpty { return url }
        if environment["AUTHD_REQUIRE_POSTGRES"] == "1" || environment["CI"] == "true" {
            throw Failure(
                description: "PostgreSQL is required here (AUTHD_REQUIRE_POSTGRES=1 or CI=true) but"
                    + " AUTHD_TEST_POSTGRES_URL is not set: run through .ci/postgres.sh (Tests/run.sh does;"
                    + " Debian package postgresql-15)")
        }
        let why = "skipped: AUTHD_TEST_POSTGRES_URL is not set, so no PostgreSQL server to test against"
        // The console reporter does not print a cancellation's comment: say it on stderr too.
        FileHandle.standardError.write(Data("\(Test.current?.name ?? "a test") [postgresql] \(why)\n".utf8))
        try Test.cancel(Comment(rawValue: why))
    }

    /// The fresh database's URL.
    let url: String
    private let adminURL: String
    private let name: String

    init() throws {
        adminURL = try Self.serverURL()
        name = "authd_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        // The name is ours (hex digits), so it may go into the statement as an identifier.
        try PostgreSQLAdmin(url: adminURL).execute("CREATE DATABASE \(name)")
        url = Self.url(adminURL, database: name)
    }

    func remove() {
        _ = try? PostgreSQLAdmin(url: adminURL).execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs `body` with a fresh database and drops it afterwards.
    static func with<T>(_ body: (TemporaryPostgreSQL) async throws -> T) async throws -> T {
        let database = try TemporaryPostgreSQL()
        defer { database.remove() }
        return try await body(database)
    }

    /// `url` naming `database` instead of its own.
    static func url(_ url: String, database: String) -> String {
        let parts = url.split(separator: "?", maxSplits: 1)
        var base = String(parts[0])
        if let scheme = base.range(of: "://"), let slash = base[scheme.upperBound...].firstIndex(of: "/") {
            base = String(base[..<slash])
        }
        return base + "/" + database + (parts.count > 1 ? "?" + parts[1] : "")
    }
}

/// A plain blocking libpq connection for the tests' own view of a database, apart from the store.
final class PostgreSQLAdmin: @unchecked Sendable {
    private let connection: OpaquePointer
    private let lock = NSLock()

    init(url: String) throws {
        guard let connection = PQconnectdb(url), PQstatus(connection) == CONNECTION_OK else {
            throw TemporaryPostgreSQL.Failure(description: "cannot connect to \(url)")
        }
        self.connection = connection
    }

    deinit {
        PQfinish(connection)
    }

    /// Runs `sql`; its rows as text (NULL as nil).
    @discardableResult
    func execute(_ sql: String) throws -> [[String?]] {
        try lock.withLock {
            guard let result = PQexec(connection, sql) else {
                throw TemporaryPostgreSQL.Failure(description: String(cString: PQerrorMessage(connection)))
            }
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
                throw TemporaryPostgreSQL.Failure(description: String(cString: PQresultErrorMessage(result)))
            }
            return (0..<PQntuples(result)).map { row in
                (0..<PQnfields(result)).map { column in
                    PQgetisnull(result, row, column) == 0 ? String(cString: PQgetvalue(result, row, column)) : nil
                }
            }
        }
    }
}
