/// How a lookup names a session id or reset token: the form authd stores (a digest, or the raw
/// value with `--store-plain-tokens`), and for rows the seed's service wrote the raw uuid4 they may
/// still hold. A session authd made is found with one indexed read.
public struct SecretKey: Sendable, Hashable {
    /// The value as authd stores it.
    public var stored: String
    /// The raw value a seed-made row may hold; nil when no such row may match.
    public var legacy: String?

    /// A key matching `stored`, or `legacy` as well.
    public init(stored: String, legacy: String? = nil) {
        self.stored = stored
        self.legacy = legacy
    }

    /// Whether a stored column value is this secret.
    func matches(_ value: String?) -> Bool {
        guard let value else { return false }
        return value == stored || value == legacy
    }
}
