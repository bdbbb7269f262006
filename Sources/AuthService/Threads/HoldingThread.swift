import Glibc
import Synchronization

/// The thread whose submissions leave a store's thread asleep until it wakes it, once per burst
/// (`UserStore.holdWakeups`; a reactor's thread, once per cycle). None until `take()`.
struct HoldingThread: ~Copyable {
    /// The holder's `pthread_t`; 0 for none.
    private let id = Atomic<UInt>(0)

    /// Makes the calling thread the holder.
    func take() {
        id.store(UInt(pthread_self()), ordering: .relaxed)
    }

    /// Whether a submission made now wakes the store's thread: any but the holder's does.
    var submissionWakes: Bool { id.load(ordering: .relaxed) != UInt(pthread_self()) }
}
