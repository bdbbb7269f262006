/// A secret as the database keeps it: sealed with AES-256-GCM (nonce ‖ ciphertext ‖ tag, in
/// lower-case hex) under the key named by `keyID`.
public struct SealedSecret: Sendable, Equatable {
    /// The id of the `SealingKey` that sealed it.
    public var keyID: String
    /// The sealed box in lower-case hex.
    public var sealed: String

    /// A sealed value as read from a row; opens only with its key and binding.
    public init(keyID: String, sealed: String) {
        self.keyID = keyID
        self.sealed = sealed
    }
}

/// What a sealed value belongs to, its associated data: a value copied to another row, or used
/// for another purpose, does not open.
public enum SealBinding: Sendable, Equatable {
    /// The TOTP secret of user `userID` with email `email`. The email too, because a freed id is
    /// given again (SQLite reuses the highest rowid; the seed's service drops and remakes its
    /// table): a secret left behind must not open for the next user with that id.
    case totpSecret(userID: Int64, email: String)
    /// A reset token waiting in the outbox, issued at `createdAt` to expire at `expiresAt` (unix
    /// ms): a row whose times were changed does not open.
    case outboxToken(createdAt: Int64, expiresAt: Int64)

    var associatedData: [UInt8] {
        switch self {
        case let .totpSecret(userID, email): Array("authd totp secret of user \(userID) <\(email)>".utf8)
        case let .outboxToken(createdAt, expiresAt): Array("authd outbox token \(createdAt)-\(expiresAt)".utf8)
        }
    }
}
