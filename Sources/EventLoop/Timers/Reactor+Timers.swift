extension Reactor {
    /// Calls `callback` on the loop thread once, `milliseconds` from now; loop thread.
    @discardableResult
    public func schedule(after milliseconds: Int, _ callback: @escaping () -> Void) -> TimerHandle {
        assert(isInLoopThread)
        let deadline = MonotonicClock.milliseconds() + UInt64(max(0, milliseconds))
        return withTimers { $0.insert(deadline: deadline, callback) }
    }

    /// Stops a timer from firing; a fired or already cancelled handle is ignored. Loop thread.
    public func cancel(_ handle: TimerHandle) {
        assert(isInLoopThread)
        // Released here, after the heap is back: a deinit it triggers may arm a timer.
        let cancelled = withTimers { $0.cancel(handle) }
        _ = cancelled
    }

    func fireDueTimers() {
        let now = MonotonicClock.milliseconds()
        let limit = timers.nextSequence
        while let callback = withTimers({ $0.popDue(now: now, sequenceLimit: limit) }) {
            callback()
        }
    }

    /// Runs `change` on the heap moved into a local and back. An access to the stored heap that
    /// spanned a change (which may grow an array or release a callback) would keep a runtime
    /// exclusivity check on every access to `timers`, several per request (callgrind).
    @inline(__always)
    private func withTimers<T>(_ change: (inout TimerHeap) -> T) -> T {
        var heap = TimerHeap()
        swap(&heap, &timers)
        let result = change(&heap)
        swap(&heap, &timers)
        return result
    }
}
