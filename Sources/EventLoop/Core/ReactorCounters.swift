/// Running totals of one reactor, for metrics and tests.
public struct ReactorCounters: Sendable, Equatable {
    /// Connections currently open.
    public var openConnections = 0
    /// Connections accepted since start.
    public var accepted = 0
    /// Connections closed since start (by either side, or on error).
    public var closed = 0
    /// Bytes read from connections.
    public var bytesIn = 0
    /// Bytes written to connections.
    public var bytesOut = 0
    /// `write` system calls on connections; several answers from one cycle share one call.
    public var writeCalls = 0
    /// Times the loop woke up for handed-back tasks (one wake-up may run many tasks).
    public var wakeups = 0
    /// eventfd writes by threads handing tasks back (written only when the queue was empty).
    public var wakeupSignals = 0
    /// Tasks run that were handed back with `execute`.
    public var tasksRun = 0
    /// Returns from `epoll_wait`, whatever woke it; a spinning loop shows here.
    public var pollCycles = 0
    /// Times accepting paused because the process ran out of file descriptors.
    public var acceptPauses = 0
    /// epoll events dropped because their fd was closed, and perhaps reused, earlier in the same
    /// batch: they were meant for a registration that is gone.
    public var staleEvents = 0

    /// All zero.
    public init() {}
}
