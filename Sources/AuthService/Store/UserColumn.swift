/// The columns of `users` that lookups and updates may name; the only names ever put into SQL.
enum UserColumn: Int, CaseIterable, Sendable {
    case id, email, hashedPassword, sessionID, resetToken

    /// The column for a seed attribute name (`id`, `email`, `hashed_password`, `session_id`, `reset_token`).
    init(name: String) throws(UserStoreError) {
        switch name {
        case "id": self = .id
        case "email": self = .email
        case "hashed_password": self = .hashedPassword
        case "session_id": self = .sessionID
        case "reset_token": self = .resetToken
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
        }
    }

    /// This column's bit in a set of columns, the key of the prepared-statement caches.
    var bit: UInt8 { 1 << UInt8(rawValue) }
}
