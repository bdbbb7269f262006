import CLinux
import Glibc

/// What a file descriptor is watched for, or was found ready for.
struct Interest: OptionSet, Equatable {
    let rawValue: UInt32
    static let readable = Interest(rawValue: EPOLLIN.rawValue)
    static let writable = Interest(rawValue: EPOLLOUT.rawValue)
    /// Error or hang-up; only ever reported, never asked for (epoll always reports it).
    static let hangup = Interest(rawValue: EPOLLERR.rawValue | EPOLLHUP.rawValue)
}

/// The only place that calls `epoll_*`. Level-triggered (see `Reactor`), loop thread only.
final class Poller {
    private let epfd: Int32
    private let events: UnsafeMutableRawPointer
    private let capacity: Int32 = 256

    init() throws {
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { throw ReactorError.systemCall("epoll_create1", errno: errno) }
        events = .allocate(byteCount: Int(capacity) * clinux_epoll_event_size(), alignment: 8)
    }

    deinit {
        Glibc.close(epfd)
        events.deallocate()
    }

    func add(_ fd: Int32, interest: Interest) throws {
        guard clinux_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, interest.rawValue) == 0 else {
            throw ReactorError.systemCall("epoll_ctl(ADD)", errno: errno)
        }
    }

    /// Changes the watched events; an empty set keeps the fd registered (errors still reported).
    func modify(_ fd: Int32, interest: Interest) {
        // Fails only for an fd we no longer own, which the caller already tore down.
        _ = clinux_epoll_ctl(epfd, EPOLL_CTL_MOD, fd, interest.rawValue)
    }

    /// Waits up to `timeout` ms (-1 = forever) and returns how many events `event(at:)` can read.
    func poll(timeout: Int32) throws -> Int {
        let count = epoll_wait(epfd, events.assumingMemoryBound(to: epoll_event.self), capacity, timeout)
        if count < 0 {
            if errno == EINTR { return 0 }
            throw ReactorError.systemCall("epoll_wait", errno: errno)
        }
        return Int(count)
    }

    /// The fd and readiness of event `index` of the last `poll`. Errors and hang-ups read as
    /// readable and writable too (as redis does), so the owner meets the error on its next call.
    func event(at index: Int) -> (fd: Int32, ready: Interest) {
        let raw = events.assumingMemoryBound(to: epoll_event.self)
        var ready = Interest(rawValue: clinux_epoll_event_mask(raw, Int32(index)))
        if !ready.isDisjoint(with: .hangup) { ready.formUnion([.readable, .writable]) }
        return (clinux_epoll_event_fd(raw, Int32(index)), ready)
    }
}
