import EventLoop
import Glibc

/// Why authd could not start serving once its settings were accepted. Its description follows
/// `cannot start: ` on the one line authd exits with, and names what failed.
enum StartupError: Error, CustomStringConvertible {
    /// The event loop or its signal handling could not be set up.
    case eventLoop(any Error)
    /// Auth could not start; `AuthStartupError` names the database file, the thread or libcrypt.
    case auth(any Error)
    /// A listener could not be opened on this address (`host:port`).
    case listen(address: String, any Error)
    /// A socket systemd passed could not be served.
    case socketActivation(fd: Int32, any Error)

    var description: String {
        switch self {
        case let .eventLoop(error): "event loop: \(Self.describe(error))"
        case let .auth(error): Self.describe(error)
        case let .listen(address, error): "cannot listen on \(address): \(Self.describe(error))"
        case let .socketActivation(fd, error):
            "cannot serve the socket systemd passed as fd \(fd): \(Self.describe(error))"
        }
    }

    /// A reactor error as the system call and the system's words for its errno.
    private static func describe(_ error: any Error) -> String {
        switch error as? ReactorError {
        case let .systemCall(call, errno)?: "\(call): \(String(cString: strerror(errno)))"
        case let .invalidAddress(host)?: "'\(host)' is not an IPv4 or IPv6 address (or localhost)"
        default: "\(error)"
        }
    }
}
