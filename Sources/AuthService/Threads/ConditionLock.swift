#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex with one condition variable; guards the state of the queues that feed worker threads.
/// Thread-safe; `wait()` must be called with the lock held.
final class ConditionLock: @unchecked Sendable {
    // Heap-allocated so the pthread objects never move (Swift may move stored properties).
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held.
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Releases the mutex until another thread broadcasts, then takes it again. Call inside `withLock`.
    func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// Wakes every waiting thread.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }

    /// Wakes one waiting thread.
    func signal() {
        pthread_cond_signal(condition)
    }
}
