/// Carries a loop-confined value (a `Connection`, say) inside a `@Sendable` closure that is run
/// back on its reactor; reading or writing `value` anywhere else traps.
///
/// Inlinable so each request's wrapper is specialized where it is made: an unspecialized generic
/// call looks the type's metadata up at run time, about 1,000 instructions per request (callgrind).
public struct LoopBound<Value>: @unchecked Sendable {
    // @unchecked: the value is only ever touched on the owning reactor's thread (checked below).
    @usableFromInline var stored: Value
    /// The reactor whose thread may touch `value`.
    public let reactor: Reactor

    /// Wraps `value`; call on `reactor`'s loop thread.
    @inlinable
    public init(_ value: Value, reactor: Reactor) {
        precondition(reactor.isInLoopThread, "LoopBound created off its loop thread")
        self.stored = value
        self.reactor = reactor
    }

    /// The wrapped value; loop thread only.
    @inlinable
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
