/// Names one scheduled timer so it can be cancelled; stale handles cancel nothing.
public struct TimerHandle: Hashable, Sendable {
    let slot: Int32
    let generation: UInt32
}
