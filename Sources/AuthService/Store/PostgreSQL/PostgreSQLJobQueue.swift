import Glibc
import Synchronization

/// The jobs waiting for the store thread, with a pipe that wakes it while it waits in `poll` (on
/// the pipe alone, or beside nothing else: results are collected before the next batch is taken).
/// Thread-safe.
final class PostgreSQLJobQueue: Sendable {
    private struct State {
        var jobs: [PostgreSQLJob] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// Set by a push that left the thread asleep (`waking: false`), until `wakeHeld()`.
    private let wakeHeldBack = Atomic<Bool>(false)

    init() {
        var ends: [Int32] = [-1, -1]
        // Without a pipe the thread still sees jobs, at the next timeout of its wait.
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
        }
        wakeRead = ends[0]
        wakeWrite = ends[1]
    }

    deinit {
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    var count: Int { state.withLock { $0.jobs.count } }

    /// Appends `job`; false once closed. Without `waking`, the thread waiting is left so until
    /// `wakeHeld()`: a burst of pushes then costs one pipe write, not one each.
    func push(_ job: PostgreSQLJob, waking: Bool = true) -> Bool {
        let accepted = state.withLock { state in
            guard !state.closed else { return false }
            state.jobs.append(job)
            return true
        }
        guard accepted else { return false }
        if waking {
            wake()
        } else {
            wakeHeldBack.store(true, ordering: .relaxed)
        }
        return true
    }

    /// Wakes the thread for the jobs pushed without waking it; one atomic load when there were none.
    func wakeHeld() {
        guard wakeHeldBack.load(ordering: .relaxed), wakeHeldBack.exchange(false, ordering: .relaxed) else { return }
        wake()
    }

    /// Refuses further jobs; the thread gets what is left.
    func close() {
        state.withLock { $0.closed = true }
        wake()
    }

    /// Takes up to `maximum` jobs, and whether the queue is closed.
    func take(upTo maximum: Int) -> (jobs: ArraySlice<PostgreSQLJob>, closed: Bool) {
        state.withLock { state in
            let taken = state.jobs.prefix(maximum)
            state.jobs.removeFirst(taken.count)
            return (taken, state.closed)
        }
    }

    /// Waits until a job may have come, or `timeout` passed (nil: no limit).
    func wait(timeout: Duration?) {
        var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        let milliseconds =
            timeout.map {
                Int32(clamping: $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000)
            } ?? -1
        guard state.withLock({ $0.jobs.isEmpty && !$0.closed }) else { return drain() }
        _ = poll(&descriptor, 1, milliseconds)
        drain()
    }

    private func wake() {
        var one: UInt8 = 1
        _ = write(wakeWrite, &one, 1)
    }

    private func drain() {
        var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &bytes, { read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
    }
}
