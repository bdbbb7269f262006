/// How a reset token waits in the outbox until its mail goes: sealed under the server key when
/// `--secret-key-file` gives one, so a copy of the database holds no usable token (issue 21, M5);
/// as it is otherwise. A sealed value reads `sealed:KEYID:HEX`, which no uuid4 does, so rows of
/// either form (written before a key was given) are told apart.
enum OutboxToken {
    private static let prefix = "sealed:"

    /// What the outbox stores for `token`, in a mail issued at `createdAt` to expire at `expiresAt`.
    static func stored(_ token: String, createdAt: Int64, expiresAt: Int64, keys: SealingKeyring?)
        throws(CryptoFailure) -> String
    {
        guard let keys else { return token }
        let sealed = try keys.seal(Array(token.utf8), for: .outboxToken(createdAt: createdAt, expiresAt: expiresAt))
        return "\(prefix)\(sealed.keyID):\(sealed.sealed)"
    }

    /// The token a stored value holds; nil when it is sealed and none of `keys` opens it (the key
    /// file changed, or none is given now).
    static func readable(_ stored: String, createdAt: Int64, expiresAt: Int64, keys: SealingKeyring?) -> String? {
        guard stored.hasPrefix(prefix) else { return stored }
        let parts = stored.dropFirst(prefix.count).split(separator: ":", maxSplits: 1)
        guard let keys, parts.count == 2 else { return nil }
        let sealed = SealedSecret(keyID: String(parts[0]), sealed: String(parts[1]))
        return keys.open(sealed, for: .outboxToken(createdAt: createdAt, expiresAt: expiresAt))
            .map { String(decoding: $0, as: UTF8.self) }
    }
}
