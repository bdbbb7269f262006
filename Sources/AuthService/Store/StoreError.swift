/// Why a store operation failed; whatever the case, the operation changed nothing. The storage
/// faults (`full`, `readOnly`, `lost`, `unavailable`) are what `StoreHealth` reports too.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database could not be opened or set up (missing directory, not a database, read-only).
    case cannotOpen(location: String, reason: String)
    /// Another user already has this email.
    case duplicateEmail
    /// The database stayed locked past the busy timeout, or a transaction could not begin or commit.
    case busy
    /// The store is closed or shutting down.
    case closed
    /// The disk (or the database's page limit) is full.
    case full
    /// The database can no longer be written (a read-only file or file system).
    case readOnly
    /// The database file was removed or replaced while open: nothing more is acknowledged.
    case lost
    /// The storage failed to read or write (an I/O error, a file that cannot be opened).
    case unavailable(message: String)
    /// Any other database failure, with the backend's code and message.
    case failure(code: Int32, message: String)

    public var description: String {
        switch self {
        case let .cannotOpen(location, reason): "cannot open database \"\(location)\": \(reason)"
        case .duplicateEmail: "email already registered"
        case .busy: "database is locked (busy timeout expired)"
        case .closed: "the store is closed"
        case .full: "the database or the disk is full"
        case .readOnly: "the database is read-only"
        case .lost: "the database file was removed or replaced while open"
        case let .unavailable(message): "storage unavailable: \(message)"
        case let .failure(code, message): "database error \(code): \(message)"
        }
    }
}
