/// How a session's holder proved who they are; a higher level includes the lower ones. Stored as
/// its raw value, so a later level is appended, never renumbered.
public enum AssuranceLevel: Int64, Sendable, Comparable, CaseIterable {
    /// The password alone.
    case password = 1
    /// The password and a second factor.
    case secondFactor = 2

    public static func < (left: AssuranceLevel, right: AssuranceLevel) -> Bool {
        left.rawValue < right.rawValue
    }

    /// The level a stored value names; the lowest for a value this build does not know.
    init(stored: Int64?) {
        self = stored.flatMap(AssuranceLevel.init(rawValue:)) ?? .password
    }
}
