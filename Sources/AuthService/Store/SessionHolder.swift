/// The user a session id names, as much as a session lookup needs: who (to answer and audit), the
/// session's handle, times and assurance level (to expire it, list it, gate on it). Narrower than
/// `User`, so the lookup that every `GET /profile` makes reads and decodes neither the password
/// hash nor the other secrets.
public struct SessionHolder: Sendable, Equatable {
    /// The user's row id.
    public var userID: Int64
    /// The email as stored.
    public var email: String
    /// When the session was made, unix milliseconds; nil for a session made by the seed's service.
    public var sessionCreatedAt: Int64?
    /// The session's public name; nil for a session only the seed's `users.session_id` column holds
    /// (made by the seed's service, or by an authd from before sessions per device).
    public var handle: SessionHandle?
    /// When the session was last used as stored (see `Session.lastSeenAt`); nil when `handle` is.
    public var lastSeenAt: Int64?
    /// How the holder proved who they are.
    public var assurance: AssuranceLevel

    /// A holder value; does not touch the database.
    public init(
        userID: Int64, email: String, sessionCreatedAt: Int64?, handle: SessionHandle? = nil,
        lastSeenAt: Int64? = nil, assurance: AssuranceLevel = .password
    ) {
        self.userID = userID
        self.email = email
        self.sessionCreatedAt = sessionCreatedAt
        self.handle = handle
        self.lastSeenAt = lastSeenAt
        self.assurance = assurance
    }
}

extension SessionHolder {
    /// The holder of the session only `user`'s `session_id` column names.
    init(_ user: User) {
        self.init(userID: user.id, email: user.email, sessionCreatedAt: user.sessionCreatedAt)
    }
}

/// What ending a session by its id found: the user as it was before, and which session it was.
public struct EndedSession: Sendable, Equatable {
    /// The user before: `sessionID` and `sessionCreatedAt` name the session ended.
    public var user: User
    /// The session's handle; nil for one only `users.session_id` held.
    public var handle: SessionHandle?

    public init(user: User, handle: SessionHandle?) {
        self.user = user
        self.handle = handle
    }
}
