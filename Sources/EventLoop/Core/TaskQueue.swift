import CLinux
import Glibc
import Synchronization

/// Closures handed to the loop from any thread: a mutex-guarded array plus one eventfd.
/// The eventfd is written only when the array goes from empty to non-empty, and the loop takes
/// the whole array per wake-up, so a burst of completions costs about one wake-up.
final class TaskQueue: Sendable {
    /// One queued closure. A struct, not the bare function type: a closure stored in an array as
    /// such is re-wrapped in a thunk, which costs an allocation per task (callgrind).
    struct Job: Sendable {
        let run: @Sendable () -> Void
    }

    let fd: Int32
    /// eventfd writes made by producers (stop() included); shows the coalescing works.
    let signals = Atomic<Int>(0)
    private let pending = Mutex<[Job]>([])

    init() throws {
        fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard fd >= 0 else { throw ReactorError.systemCall("eventfd", errno: errno) }
    }

    deinit { Glibc.close(fd) }

    /// Any thread.
    func push(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = pending.withLock { tasks in
            tasks.append(Job(run: task))
            return tasks.count == 1
        }
        if wasEmpty { wake() }
    }

    /// Any thread: makes the loop's `epoll_wait` return.
    func wake() {
        signals.add(1, ordering: .relaxed)
        var one: UInt64 = 1
        // EAGAIN means the counter is already non-zero: the loop will wake anyway.
        _ = Glibc.write(fd, &one, 8)
    }

    /// Loop thread: swaps every queued task into `batch` (empty, capacity kept between calls).
    func take(into batch: inout [Job]) {
        // Reset the eventfd before taking the array: a push racing with us then either lands in
        // this batch or writes the eventfd again, so no task waits without a wake-up.
        var value: UInt64 = 0
        _ = Glibc.read(fd, &value, 8)
        pending.withLock { tasks in swap(&tasks, &batch) }
    }
}
