/// Why a UserStore operation failed.
public enum UserStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file could not be opened or set up (missing directory, not a database, read-only).
    case cannotOpen(path: String, reason: String)
    /// A lookup or update named a column `users` does not have.
    case unknownColumn(String)
    /// An update tried to change a column that is never changed (`id`).
    case notUpdatable(String)
    /// A lookup or update named the same column twice, or no column at all.
    case invalidColumnSet
    /// Another user already has this email.
    case duplicateEmail
    /// The database stayed locked past the busy timeout (SQLITE_BUSY / SQLITE_LOCKED).
    case busy
    /// Any other SQLite failure, with its extended result code and message.
    case sqlite(code: Int32, message: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): "cannot open database \"\(path)\": \(reason)"
        case let .unknownColumn(name): "unknown column \"\(name)\""
        case let .notUpdatable(name): "column \"\(name)\" cannot be updated"
        case .invalidColumnSet: "a lookup or update needs distinct, known columns"
        case .duplicateEmail: "email already registered"
        case .busy: "database is locked (busy timeout expired)"
        case let .sqlite(code, message): "sqlite error \(code): \(message)"
        }
    }
}
