/// A row of the seed's `users` table.
public struct User: Sendable, Equatable {
    /// The row id (`INTEGER PRIMARY KEY`).
    public var id: Int64
    /// The email as stored, compared byte for byte or ignoring ASCII case (see `UserStore`). authd
    /// stores the normalized form (`EmailAddress`); rows the seed wrote keep theirs.
    public var email: String
    /// The bcrypt string, `$2b$12$…`; read from a BLOB (as the seed writes it) or TEXT.
    public var hashedPassword: String
    /// The current session's uuid4, nil when logged out.
    public var sessionID: String?
    /// The pending password-reset uuid4, nil when none.
    public var resetToken: String?
    /// When the session was made, unix milliseconds; nil for a session made by the seed's service.
    public var sessionCreatedAt: Int64?
    /// When the reset token was issued, unix milliseconds; nil for a token issued by the seed's service.
    public var resetTokenCreatedAt: Int64?

    /// A user value; does not touch the database.
    public init(
        id: Int64, email: String, hashedPassword: String, sessionID: String? = nil, resetToken: String? = nil,
        sessionCreatedAt: Int64? = nil, resetTokenCreatedAt: Int64? = nil
    ) {
        self.id = id
        self.email = email
        self.hashedPassword = hashedPassword
        self.sessionID = sessionID
        self.resetToken = resetToken
        self.sessionCreatedAt = sessionCreatedAt
        self.resetTokenCreatedAt = resetTokenCreatedAt
    }
}

/// A user to add: an email (normalized by the caller) and its bcrypt hash.
public struct NewUser: Sendable, Equatable {
    public var email: String
    public var hashedPassword: String

    public init(email: String, hashedPassword: String) {
        self.email = email
        self.hashedPassword = hashedPassword
    }
}

extension User {
    /// The bcrypt cost its stored hash names; nil for a hash authd does not recognize.
    public var passwordCost: Int? { PasswordHasher.cost(of: hashedPassword) }
}

extension User {
    /// What a password change does to the row, in every store: the new hash, no pending reset
    /// token, and unless told otherwise no session.
    mutating func replacePassword(with hash: String, endingSessions: Bool = true) {
        hashedPassword = hash
        resetToken = nil
        resetTokenCreatedAt = nil
        guard endingSessions else { return }
        sessionID = nil
        sessionCreatedAt = nil
    }
}
