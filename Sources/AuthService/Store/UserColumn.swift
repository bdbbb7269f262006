/// The columns of `users` that lookups and updates may name; the only names ever put into SQL.
enum UserColumn: Int, CaseIterable, Sendable {
    case id, email, hashedPassword, sessionID, resetToken
    /// authd's own columns (unix milliseconds, NULL when unknown); the seed's service ignores them.
    case sessionCreatedAt, resetTokenCreatedAt

    /// The column for a seed attribute name (`id`, `email`, `hashed_password`, `session_id`, `reset_token`) or authd column name.
    init(name: String) throws(UserStoreError) {
        switch name {
        case "id": self = .id
        case "email": self = .email
        case "hashed_password": self = .hashedPassword
        case "session_id": self = .sessionID
        case "reset_token": self = .resetToken
        case "authd_session_created_ms": self = .sessionCreatedAt
        case "authd_reset_token_created_ms": self = .resetTokenCreatedAt
        default: throw .unknownColumn(name)
        }
    }

    /// The SQL name.
    var name: String {
        switch self {
        case .id: "id"
        case .email: "email"
        case .hashedPassword: "hashed_password"
        case .sessionID: "session_id"
        case .resetToken: "reset_token"
        case .sessionCreatedAt: "authd_session_created_ms"
        case .resetTokenCreatedAt: "authd_reset_token_created_ms"
        }
    }

    /// True for the columns holding integers (bound from their decimal text).
    var holdsInteger: Bool { self == .id || self == .sessionCreatedAt || self == .resetTokenCreatedAt }

    /// This column's bit in a set of columns, the key of the prepared-statement caches.
    var bit: UInt8 { 1 << UInt8(rawValue) }
}
