/// How a session's holder proved who they are; a higher level includes the lower ones. Stored as
/// its raw value, so a later level is appended, never renumbered.
public enum AssuranceLevel: Int64, Sendable, Comparable, CaseIterable {
    /// The password of a user with a second factor, which is still to come: such a session can only
    /// be raised with the second factor (`Auth.raiseSession`) or ended; every other use is refused.
    case secondFactorPending = 0
    /// The password alone.
    case password = 1
    /// The password and a second factor.
    case secondFactor = 2

    public static func < (left: AssuranceLevel, right: AssuranceLevel) -> Bool {
        left.rawValue < right.rawValue
    }

    /// The level a stored value names; the password's for none (a session only `users.session_id`
    /// holds) or one this build does not know.
    init(stored: Int64?) {
        self = stored.flatMap(AssuranceLevel.init(rawValue:)) ?? .password
    }
}
