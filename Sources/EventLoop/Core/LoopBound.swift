/// Carries a loop-confined value (a `Connection`, say) inside a `@Sendable` closure that is run
/// back on its reactor; reading or writing `value` anywhere else traps.
public struct LoopBound<Value>: @unchecked Sendable {
    // @unchecked: the value is only ever touched on the owning reactor's thread (checked below).
    private var stored: Value
    /// The reactor whose thread may touch `value`.
    public let reactor: Reactor

    /// Wraps `value`; call on `reactor`'s loop thread.
    public init(_ value: Value, reactor: Reactor) {
        precondition(reactor.isInLoopThread, "LoopBound created off its loop thread")
        self.stored = value
        self.reactor = reactor
    }

    /// The wrapped value; loop thread only.
    public var value: Value {
        get {
            precondition(reactor.isInLoopThread, "LoopBound read off its loop thread")
            return stored
        }
        set {
            precondition(reactor.isInLoopThread, "LoopBound written off its loop thread")
            stored = newValue
        }
    }
}
