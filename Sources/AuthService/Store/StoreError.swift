/// Why a store operation failed; whatever the case, the operation changed nothing.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database could not be opened or set up (missing directory, not a database, read-only).
    case cannotOpen(location: String, reason: String)
    /// Another user already has this email.
    case duplicateEmail
    /// The database stayed locked past the busy timeout, or a transaction could not begin or commit.
    case busy
    /// The store is closed or shutting down.
    case closed
    /// Any other database failure, with the backend's code and message.
    case failure(code: Int32, message: String)

    public var description: String {
        switch self {
        case let .cannotOpen(location, reason): "cannot open database \"\(location)\": \(reason)"
        case .duplicateEmail: "email already registered"
        case .busy: "database is locked (busy timeout expired)"
        case .closed: "the store is closed"
        case let .failure(code, message): "database error \(code): \(message)"
        }
    }
}
