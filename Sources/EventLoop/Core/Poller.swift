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

    /// Starts watching `fd`; its events will carry `generation` (see `Registration`).
    func add(_ fd: Int32, generation: UInt32, interest: Interest) throws {
        let data = Self.pack(fd, generation)
        guard clinux_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, interest.rawValue, data) == 0 else {
            throw ReactorError.systemCall("epoll_ctl(ADD)", errno: errno)
        }
    }

    /// Changes the watched events; an empty set keeps the fd registered (errors still reported).
    /// `generation` must be the one `fd` was added with: MOD replaces the event data too.
    func modify(_ fd: Int32, generation: UInt32, interest: Interest) {
        // Fails only for an fd we no longer own, which the caller already tore down.
        _ = clinux_epoll_ctl(epfd, EPOLL_CTL_MOD, fd, interest.rawValue, Self.pack(fd, generation))
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

    /// The fd, generation and readiness of event `index` of the last `poll`. Errors and hang-ups
    /// read as readable and writable too (as redis does), so the owner meets the error on its next call.
    func event(at index: Int) -> (fd: Int32, generation: UInt32, ready: Interest) {
        let raw = events.assumingMemoryBound(to: epoll_event.self)
        var ready = Interest(rawValue: clinux_epoll_event_mask(raw, Int32(index)))
        if !ready.isDisjoint(with: .hangup) { ready.formUnion([.readable, .writable]) }
        let data = clinux_epoll_event_data(raw, Int32(index))
        return (Int32(truncatingIfNeeded: data), UInt32(truncatingIfNeeded: data >> 32), ready)
    }

    /// The event data: the fd in the low 32 bits, the generation in the high 32.
    private static func pack(_ fd: Int32, _ generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }
}
