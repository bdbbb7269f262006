import CLinux
import Glibc

/// A listening socket registered with a reactor; loop-confined.
public final class Listener {
    /// The bound port (the one the kernel chose when asked for port 0).
    public let port: Int

    let fd: Int32
    /// This registration's tag on epoll events; every `poller.modify` must repeat it.
    let generation: UInt32
    private unowned let reactor: Reactor
    private let onAccept: (Connection) -> Void
    private var isClosed = false
    private var isBackingOff = false

    /// Accepts per readiness event, so a flood of connects cannot starve established ones.
    private static let acceptsPerWakeup = 64
    /// How long accepting pauses when the process is out of file descriptors.
    private static let fdExhaustionPauseMilliseconds = 100

    init(fd: Int32, generation: UInt32, reactor: Reactor, onAccept: @escaping (Connection) -> Void) {
        self.fd = fd
        self.generation = generation
        self.reactor = reactor
        self.onAccept = onAccept
        self.port = SocketAddress.localPort(of: fd) ?? 0
    }

    /// Stops accepting and closes the socket; open connections are unaffected. Loop thread.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
        reactor.unregister(fd)
    }

    /// Loop: the listening socket is readable.
    func acceptReady() {
        for _ in 0..<Self.acceptsPerWakeup {
            guard !isClosed, !isBackingOff else { return }
            let client = clinux_accept_nonblocking(fd)
            if client >= 0 {
                onAccept(reactor.adoptConnection(fd: client))
                continue
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                backOff()
                return
            default:  // EAGAIN: drained
                return
            }
        }
    }

    /// Out of fds: the pending connection stays in the backlog, and level-triggered epoll would
    /// report it again at once, so stop watching the listener for a while instead of spinning.
    private func backOff() {
        isBackingOff = true
        reactor.totals.acceptPauses += 1
        reactor.poller.modify(fd, generation: generation, interest: [])
        reactor.schedule(after: Self.fdExhaustionPauseMilliseconds) { [self] in
            isBackingOff = false
            if !isClosed { reactor.poller.modify(fd, generation: generation, interest: .readable) }
        }
    }
}
