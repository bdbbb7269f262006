/// What copying users from another database did (`authd migrate`), each row as it was given.
/// With any conflict, nothing was written: `added` then lists what the copy would have added.
public struct CopyReport: Sendable {
    /// The rows added as new users.
    public var added: [User] = []
    /// The rows the store already held, identical.
    public var alreadyPresent: [User] = []
    /// The rows refused, and why.
    public var conflicts: [(row: User, conflict: CopyConflict)] = []

    /// Sessions among the rows added.
    public var addedSessions: Int { added.count { $0.sessionID != nil } }

    /// Enabled second factors (TOTP) among the rows added, each sealed again to its new id.
    public var addedSecondFactors = 0

    /// Pending reset tokens among the rows added.
    public var addedResetTokens: Int { added.count { $0.resetToken != nil } }
}
