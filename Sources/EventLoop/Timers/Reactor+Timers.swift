extension Reactor {
    /// Calls `callback` on the loop thread once, `milliseconds` from now; loop thread.
    @discardableResult
    public func schedule(after milliseconds: Int, _ callback: @escaping () -> Void) -> TimerHandle {
        assert(isInLoopThread)
        let deadline = MonotonicClock.milliseconds() + UInt64(max(0, milliseconds))
        return timers.insert(deadline: deadline, callback)
    }

    /// Stops a timer from firing; a fired or already cancelled handle is ignored. Loop thread.
    public func cancel(_ handle: TimerHandle) {
        assert(isInLoopThread)
        timers.cancel(handle)
    }

    func fireDueTimers() {
        let now = MonotonicClock.milliseconds()
        let limit = timers.nextSequence
        while let callback = timers.popDue(now: now, sequenceLimit: limit) {
            callback()
        }
    }
}
