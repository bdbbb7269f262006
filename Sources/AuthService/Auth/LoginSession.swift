/// A successful login: the user as stored now, and the new session's id (the cookie's value).
public struct LoginSession: Sendable {
    /// The user, its session fields naming the new session.
    public var user: User
    /// The new session's id, as the client gets it (the store keeps only its digest).
    public var sessionID: String
    /// Whether the session waits for the user's second factor (`Auth.raiseSession`) before it is
    /// good for anything else.
    public var secondFactorRequired: Bool

    /// A login's outcome; does not touch the database.
    public init(user: User, sessionID: String, secondFactorRequired: Bool = false) {
        self.user = user
        self.sessionID = sessionID
        self.secondFactorRequired = secondFactorRequired
    }
}
