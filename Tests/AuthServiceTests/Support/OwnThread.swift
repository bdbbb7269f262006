import Dispatch
import Foundation

/// Threads of a test's own, for what depends on the calling thread (`UserStore.holdWakeups`): a
/// reactor's thread never changes, a task's may between two awaits.
enum OwnThread {
    /// Runs `body` on a new thread and waits for it to end.
    static func run(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        Thread {
            body()
            done.signal()
        }.start()
        done.wait()
    }

    /// Runs `body` on a new thread, then keeps that thread alive (so no later thread can be given
    /// its id) until the returned closure is called.
    static func lingering(_ body: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        let ran = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            body()
            ran.signal()
            finished.wait()
        }.start()
        ran.wait()
        return { finished.signal() }
    }
}
