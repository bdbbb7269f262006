import ArgumentParser
import AuthService
import Glibc

/// The flags every admin command takes: the database, found as the server finds it.
struct DatabaseOptions: ParsableArguments {
    @Option(
        help:
            "SQLite database file or postgresql:// URI, as the server's; must exist (AUTHD_DATABASE). (default: \(AuthConfiguration().databasePath))"
    )
    var database: String?

    /// Milliseconds SQLite waits for a lock the server holds (AUTHD_BUSY_TIMEOUT_MS).
    @Option(help: .hidden)
    var busyTimeoutMilliseconds: Int?

    /// The flag's path, else `AUTHD_DATABASE`'s, else the server's default.
    func path(environment: Environment = .process) throws -> String {
        try database ?? environment.value("AUTHD_DATABASE") ?? AuthConfiguration().databasePath
    }

    /// The lock wait: the flag, else `AUTHD_BUSY_TIMEOUT_MS`, else the server's default.
    func busyTimeout(environment: Environment = .process) throws -> Int {
        try busyTimeoutMilliseconds ?? environment.value("AUTHD_BUSY_TIMEOUT_MS")
            ?? AuthConfiguration().busyTimeoutMilliseconds
    }

    /// Runs `body` on the users of the existing database, through a store of its own beside the
    /// server's connection (WAL mode lets both work; PostgreSQL takes several), closed afterwards. A
    /// missing file is an error: an admin command never creates a database.
    func withUsers<T>(_ body: (UserAdministration) throws -> T) throws -> T {
        let path = try path()
        let isPostgreSQL = PostgreSQLUserStore.handles(path)
        guard isPostgreSQL || access(path, F_OK) == 0 else { throw AdminFailure.noDatabase(path) }
        let store = try Self.openStore(path, busyTimeoutMilliseconds: try busyTimeout())
        defer { store.close() }
        do {
            return try body(UserAdministration(store: store))
        } catch let error as AdminError {
            throw AdminFailure.admin(error)
        }
    }
}

extension DatabaseOptions {
    /// The store `location` names, as the server chooses it: PostgreSQL for a `postgresql://` URI
    /// (each operation given `operationTimeout`, else the store's default), else the SQLite file
    /// (created if missing: callers that must not create check first).
    static func openStore(
        _ location: String, busyTimeoutMilliseconds: Int, operationTimeout: Duration? = nil
    ) throws -> any UserStore & SecondFactorStore {
        do {
            guard PostgreSQLUserStore.handles(location) else {
                return try SQLiteUserStore(path: location, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            }
            guard let operationTimeout else { return try PostgreSQLUserStore(location: location) }
            return try PostgreSQLUserStore(location: location, operationTimeout: operationTimeout)
        } catch {
            throw AdminFailure.admin(.store(error))
        }
    }
}

/// Why an admin command failed, in the one line ArgumentParser prints (`Error: …`, exit 1).
enum AdminFailure: Error, CustomStringConvertible {
    case noDatabase(String)
    case admin(AdminError)
    case backupOfPostgreSQL
    case backup(StoreError)
    case damagedCopy(String, [String])
    case unreadableFile(String, Int32)
    case noPassword
    case noSource(String)
    case sameDatabase(String)
    case conflicts(Int)

    var description: String {
        switch self {
        case .noDatabase(let path): "no database at \(path) (--database, AUTHD_DATABASE)"
        case .admin(let error): Self.describe(error)
        case .backupOfPostgreSQL: "authd backup copies SQLite files only; back PostgreSQL up with pg_dump"
        case .backup(let error): "backup failed: \(error)"
        case let .damagedCopy(path, lines):
            "the copy \(path) failed its integrity check: \(lines.prefix(3).joined(separator: "; "))"
        case let .unreadableFile(path, code): "cannot read \(path): \(String(cString: strerror(code)))"
        case .noPassword: "no password on standard input (pipe it in: the password is never an argument)"
        case .noSource(let path): "no database at \(path) (--from)"
        case .sameDatabase(let path): "--to \(path) is the --from file itself"
        case .conflicts(let count):
            "\(count) user\(count == 1 ? " conflicts" : "s conflict") with the target (listed above); nothing was copied"
        }
    }

    private static func describe(_ error: AdminError) -> String {
        switch error {
        case let .invalidEmail(given, reason):
            "\"\(TerminalText.escaped(given))\" is not an email: \(ImportMessages.reason(reason))"
        case .noSuchUser(let email): "no user with email \(TerminalText.escaped(email))"
        case .noSuchID(let id): "no user with id \(id)"
        case .invalidPassword(.empty): "the new password is empty"
        case .invalidPassword(.tooShort(let minimum)): "the new password is shorter than \(minimum) characters"
        case .invalidPassword(.tooLong):
            "the new password is longer than bcrypt's 72 bytes (UTF-8 bytes, not characters: a kanji takes 3)"
        case .invalidPassword(.containsNUL): "the new password contains a NUL byte"
        case .hashFailed(let code): "bcrypt failed: \(String(cString: strerror(code)))"
        case .store(let error): "\(error)"
        case .sealingKeysNeeded(let users):
            "the source holds the second factor (TOTP) of \(users) user\(users == 1 ? "" : "s"), sealed under a key: "
                + "give its key file with --secret-key-file (the one authd serve uses); nothing was copied"
        case .secretDoesNotOpen(let email):
            "the TOTP secret of \(TerminalText.escaped(email)) does not open with --secret-key-file "
                + "(or --previous-secret-key-file): give the key file the source was served with; nothing was copied"
        }
    }
}

/// The words for why an email or an import row was refused.
enum ImportMessages {
    static func reason(_ invalid: EmailAddress.Invalid) -> String {
        switch invalid {
        case .tooLong: "longer than \(EmailAddress.maximumBytes) bytes"
        case .atSignCount: "not exactly one @"
        case .emptyLocalPart: "nothing before the @"
        case .emptyDomain: "nothing after the @"
        case .whiteSpace: "white space inside"
        case .controlCharacter: "a control or invisible character inside"
        }
    }

    static func reason(_ rejection: ImportRejection) -> String {
        switch rejection {
        case .fieldCount(nil): "unbalanced quotes"
        case .notUTF8: "not valid UTF-8"
        case .fieldCount(let count?): "\(count) field\(count == 1 ? "" : "s"), expected 2 (email, bcrypt hash)"
        case .invalidEmail(let invalid): "not an email: \(reason(invalid))"
        case .notABcryptHash: "the second field is not a bcrypt hash ($2a$, $2b$ or $2y$)"
        case .duplicateOfLine(let line): "same email as line \(line) (ignoring case)"
        case .alreadyRegistered: "email already registered (ignoring case)"
        }
    }
}
