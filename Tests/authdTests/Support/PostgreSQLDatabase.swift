import Foundation
import Testing

/// A fresh database on the test server named by `AUTHD_TEST_POSTGRES_URL` (an admin URL such as
/// `postgresql://postgres@127.0.0.1:PORT/postgres`), made and dropped with `psql`, for tests that
/// run authd on PostgreSQL. Without the variable the test skips, saying so, unless
/// `AUTHD_REQUIRE_POSTGRES=1` or `CI=true`, where that is a failure.
struct PostgreSQLDatabase {
    /// The fresh database's URL, for `--database`.
    let url: String
    private let adminURL: String
    private let name: String

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let admin = environment["AUTHD_TEST_POSTGRES_URL"], !admin.isEmpty else {
            if PostgresEnvironment.required { throw PostgresError.notConfigured }
            let why = "skipped: AUTHD_TEST_POSTGRES_URL is not set, so no PostgreSQL server to test against"
            // The console reporter does not print a cancellation's comment: say it on stderr too.
            FileHandle.standardError.write(Data("\(Test.current?.name ?? "a test") [postgresql] \(why)\n".utf8))
            try Test.cancel(Comment(rawValue: why))
        }
        adminURL = admin
        name = "authd_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        // The name is ours (hex digits), so it may go into the statement as an identifier.
        _ = try Self.psql(admin, "CREATE DATABASE \(name)")
        url = Self.url(admin, database: name)
    }

    func remove() {
        _ = try? Self.psql(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// The rows of one query, unaligned (`|` between columns, NULL as nothing), as sqlite3 prints them.
    func lines(_ sql: String) throws -> [String] {
        try Self.psql(url, sql).split(separator: "\n").map(String.init)
    }

    private static func psql(_ url: String, _ sql: String) throws -> String {
        let bin = ProcessInfo.processInfo.environment["AUTHD_TEST_POSTGRES_BIN"].map { $0 + "/psql" } ?? "/usr/bin/psql"
        let (status, output) = try run(bin, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        try #require(status == 0, "psql: \(output)")
        return output
    }

    /// `url` naming `database` instead of its own.
    private static func url(_ url: String, database: String) -> String {
        let parts = url.split(separator: "?", maxSplits: 1)
        var base = String(parts[0])
        if let scheme = base.range(of: "://"), let slash = base[scheme.upperBound...].firstIndex(of: "/") {
            base = String(base[..<slash])
        }
        return base + "/" + database + (parts.count > 1 ? "?" + parts[1] : "")
    }
}
