import Glibc

/// The sd_notify protocol: datagrams to `$NOTIFY_SOCKET` (READY=1, STOPPING=1, WATCHDOG=1, STATUS=…).
/// A no-op when not started by systemd. Loop thread only.
final class SystemdNotifier {
    private let fd: Int32
    private var address = sockaddr_un()
    private var addressLength: socklen_t = 0
    /// Half the watchdog interval in milliseconds, if systemd asked for pings.
    let watchdogPingMilliseconds: Int?

    init() {
        watchdogPingMilliseconds = Self.watchdogInterval().map { max(1, $0 / 2_000) }
        guard let path = Environment.process.string("NOTIFY_SOCKET"), path.utf8.count < 108,
            path.hasPrefix("/") || path.hasPrefix("@")
        else {
            fd = -1
            return
        }
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        // A leading '@' names an abstract socket: its address starts with a NUL byte.
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        addressLength = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    var isActive: Bool { fd >= 0 }

    /// Sends one state string, e.g. `"READY=1\nSTATUS=serving"`.
    func notify(_ state: String) {
        guard fd >= 0 else { return }
        let bytes = Array(state.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes {
                    sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength)
                }
            }
        }
    }

    /// `WATCHDOG_USEC` in microseconds, when meant for this process (`WATCHDOG_PID` absent or ours).
    private static func watchdogInterval() -> Int? {
        guard let usec = Environment.process.systemdNumber("WATCHDOG_USEC"), usec > 0 else { return nil }
        if let pid = Environment.process.systemdNumber("WATCHDOG_PID"), pid != Int(getpid()) { return nil }
        return usec
    }
}
