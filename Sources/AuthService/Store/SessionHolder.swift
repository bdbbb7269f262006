/// The user a session id names, as much as a session lookup needs: who (to answer and audit), and
/// when the session was made (to expire it). Narrower than `User`, so the lookup that every
/// `GET /profile` makes reads and decodes neither the password hash nor the other secrets.
public struct SessionHolder: Sendable, Equatable {
    /// The user's row id.
    public var userID: Int64
    /// The email as stored.
    public var email: String
    /// When the session was made, unix milliseconds; nil for a session made by the seed's service.
    public var sessionCreatedAt: Int64?

    /// A holder value; does not touch the database.
    public init(userID: Int64, email: String, sessionCreatedAt: Int64?) {
        self.userID = userID
        self.email = email
        self.sessionCreatedAt = sessionCreatedAt
    }
}

extension SessionHolder {
    /// The session part of `user`.
    init(_ user: User) {
        self.init(userID: user.id, email: user.email, sessionCreatedAt: user.sessionCreatedAt)
    }
}
