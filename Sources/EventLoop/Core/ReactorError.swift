/// Why a reactor operation failed.
public enum ReactorError: Error, Equatable, Sendable {
    /// A system call failed with this errno.
    case systemCall(String, errno: Int32)
    /// The host is not an IPv4/IPv6 literal or "localhost".
    case invalidAddress(String)
    /// `run()` was called while the reactor was already running.
    case alreadyRunning
}
