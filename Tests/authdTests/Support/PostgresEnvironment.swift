import Foundation
import Testing

/// Where the PostgreSQL tests find a server: the shared throwaway cluster `.ci/postgres.sh` starts
/// (`AUTHD_TEST_POSTGRES_URL`, an admin URL) and the PostgreSQL 15 binaries (`AUTHD_TEST_POSTGRES_BIN`).
enum PostgresEnvironment {
    private static var variables: [String: String] { ProcessInfo.processInfo.environment }

    /// The shared cluster's admin URL (`postgresql://postgres@127.0.0.1:PORT/postgres`), when given.
    static var adminURL: String? {
        variables["AUTHD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether the PostgreSQL tests are demanded (`AUTHD_REQUIRE_POSTGRES=1`, or CI: `CI=true`, where
    /// nothing skips): then a missing URL fails them.
    static var required: Bool { variables["AUTHD_REQUIRE_POSTGRES"] == "1" || variables["CI"] == "true" }

    /// The folder of `initdb`, `pg_ctl`, `pg_basebackup` and `psql`.
    static var binaries: URL {
        URL(fileURLWithPath: variables["AUTHD_TEST_POSTGRES_BIN"] ?? "/usr/lib/postgresql/15/bin")
    }

    /// Whether the PostgreSQL suites run: with a URL, or without one when CI requires them, so that
    /// they fail on its absence instead of passing by skipping.
    static var enabled: Bool { adminURL != nil || required }

    /// What a run without PostgreSQL prints beside each skipped suite.
    static let skipped: Comment =
        "skipped: AUTHD_TEST_POSTGRES_URL is not set (.ci/postgres.sh starts a cluster and sets it)"

    /// The shared cluster's admin URL, or an error saying why there is none.
    static func requireAdminURL() throws -> String {
        guard let adminURL else { throw PostgresError.notConfigured }
        return adminURL
    }

    /// A fresh database of its own on the shared cluster, dropped when the value goes away.
    static func createDatabase() throws -> PostgresDatabase {
        try PostgresDatabase(on: requireAdminURL())
    }

    /// `psql` from the configured binaries, or Debian's wrapper when that folder has none.
    static var psql: String {
        let own = binaries.appendingPathComponent("psql").path
        return FileManager.default.isExecutableFile(atPath: own) ? own : "/usr/bin/psql"
    }

    /// Runs one SQL command through `psql` at `url`; its unaligned, tuples-only output.
    @discardableResult
    static func query(_ url: String, _ sql: String) throws -> String {
        let result = try run(psql, ["--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-At", "-d", url, "-c", sql])
        guard result.status == 0 else { throw PostgresError.command("psql \(sql)", result.output) }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A fresh database of its own on a cluster, dropped when the value goes away, so that tests sharing
/// one cluster never see each other's rows.
final class PostgresDatabase: @unchecked Sendable {
    let name: String
    /// The URL authd is given: the admin URL with this database's name as its path.
    let url: String
    private let adminURL: String

    /// Creates the database on the cluster that `adminURL` (a superuser's URL) names.
    init(on adminURL: String) throws {
        self.adminURL = adminURL
        name = "authd_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        url = try Self.replacingDatabase(in: adminURL, with: name)
        try PostgresEnvironment.query(adminURL, "CREATE DATABASE \(name)")
    }

    deinit {
        // FORCE ends the sessions of nodes that a failed test left running (PostgreSQL 13+).
        _ = try? PostgresEnvironment.query(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// One SQL command against this database; its output.
    @discardableResult
    func query(_ sql: String) throws -> String {
        try PostgresEnvironment.query(url, sql)
    }

    /// `url` with its path (the database name) replaced, its query string kept.
    static func replacingDatabase(in url: String, with name: String) throws -> String {
        guard var parts = URLComponents(string: url) else { throw PostgresError.badURL(url) }
        parts.path = "/" + name
        guard let result = parts.string else { throw PostgresError.badURL(url) }
        return result
    }
}

enum PostgresError: Error, CustomStringConvertible {
    case notConfigured
    case badURL(String)
    case command(String, String)

    var description: String {
        switch self {
        case .notConfigured:
            "PostgreSQL is required here (AUTHD_REQUIRE_POSTGRES=1 or CI=true) but AUTHD_TEST_POSTGRES_URL is not set:"
                + " run through .ci/postgres.sh (Tests/run.sh does; Debian package postgresql-15)"
        case .badURL(let url): "not a PostgreSQL URL: \(url)"
        case .command(let command, let output): "\(command) failed:\n\(output)"
        }
    }
}
