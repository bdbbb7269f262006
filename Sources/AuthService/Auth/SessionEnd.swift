/// Why a session ended, as the audit log names it (`session_ended`'s `reason`).
public enum SessionEnd: String, Sendable {
    /// Its holder logged out with it.
    case logout
    /// Its owner ended it from another session, or an operator did.
    case revoked
    /// A login past the sessions a user may keep ended it, the least recently used.
    case evicted
    /// Unused for longer than the idle timeout.
    case idle
    /// Past the session lifetime.
    case expired
    /// Its user's password changed.
    case passwordChanged = "password_changed"
    /// Its user turned the second factor on or off from another session.
    case secondFactorChanged = "second_factor_changed"
}
