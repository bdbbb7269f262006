import Glibc

/// systemd socket activation: the listening sockets passed as fds 3… with `LISTEN_FDS`/`LISTEN_PID`.
enum SocketActivation {
    static let firstDescriptor: Int32 = 3

    /// The inherited listening fds, or none when they are not meant for this process.
    static func inheritedListeners() -> [Int32] {
        guard let count = Environment.process.systemdNumber("LISTEN_FDS"), count > 0,
            let pid = Environment.process.systemdNumber("LISTEN_PID"), pid == Int(getpid())
        else { return [] }
        // Children must not believe the fds are theirs.
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDNAMES")
        return (0..<Int32(count)).map { firstDescriptor + $0 }
    }
}
