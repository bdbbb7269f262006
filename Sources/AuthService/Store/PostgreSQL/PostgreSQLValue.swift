/// A query parameter, sent as text.
enum PostgreSQLValue: Sendable {
    case text(String)
    case integer(Int64)
    case null
}

extension PostgreSQLValue {
    /// Text, or NULL for nil.
    static func optional(_ text: String?) -> PostgreSQLValue { text.map { .text($0) } ?? .null }
}
