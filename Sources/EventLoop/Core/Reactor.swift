import CLinux
import Glibc
import Synchronization

/// One event loop on one thread: socket readiness, timers, signals and tasks handed back from
/// other threads. Only `execute`, `stop`, `isInLoopThread` and `countersSnapshot` may be used from
/// any thread; everything else belongs to the loop thread (the creating thread until `run()`).
///
/// Level-triggered epoll, not edge-triggered: a connection may stop reading (backpressure, a
/// paused request) with bytes still in the socket, and the accept loop stops at a fairness cap;
/// level-triggering reports them again on the next cycle instead of losing them, at the price of
/// an `epoll_ctl` only when a connection's interest actually changes.
public final class Reactor: @unchecked Sendable {
    // @unchecked: loop state below is only touched on the loop thread (asserted in debug builds);
    // what other threads use is the task queue (Mutex), the atomics and the published counters.

    /// The `Connection.maxPendingOutput` given to connections accepted from now on; loop thread.
    public var maxPendingOutput: Int {
        get { outputBound }
        set { outputBound = newValue }
    }
    private var outputBound = 256 * 1024
    /// Totals so far; loop thread.
    public var counters: ReactorCounters { totals }
    /// The storage behind `counters`. Not public, so the optimizer sees every access and can drop the
    /// runtime exclusivity check each `+= 1` would otherwise pay (measured with callgrind).
    var totals = ReactorCounters()

    let poller: Poller
    /// One read buffer shared by every connection: only leftover partial input is copied into a
    /// connection, which keeps idle connections small.
    let scratch: UnsafeMutableRawBufferPointer
    var timers = TimerHeap()
    /// Indexed by fd; nil for an fd not registered (any more).
    private var registrations: [Registration?] = []
    private var lastGeneration: UInt32 = 0
    /// Connections with output or re-offered input to handle at the end of this cycle.
    private var dirty: [Connection] = []
    private var dirtyBatch: [Connection] = []
    private var taskBatch: [TaskQueue.Job] = []
    private var cycleEndHooks: [() -> Void] = []
    private let tasks: TaskQueue
    private let stopRequested = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)
    private let loopThread = Atomic<UInt>(0)
    private let published = Mutex(ReactorCounters())

    /// Creates the epoll set and wake-up eventfd, and ignores SIGPIPE (write errors come back as
    /// EPIPE instead of killing the process).
    public init() throws {
        signal(SIGPIPE, SIG_IGN)
        poller = try Poller()
        tasks = try TaskQueue()
        scratch = .allocate(byteCount: 64 * 1024, alignment: 16)
        loopThread.store(UInt(pthread_self()), ordering: .relaxed)
        try register(.wakeup, fd: tasks.fd, generation: nextGeneration(), interest: .readable)
    }

    deinit {
        // No callbacks here: deinit may run on any thread. Just release the descriptors.
        for (fd, registration) in registrations.enumerated() {
            switch registration?.source {
            case .connection, .listener, .signals: Glibc.close(Int32(fd))
            case .wakeup, nil: break
            }
        }
        scratch.deallocate()
    }

    /// True on the thread running (or, before `run()`, owning) this reactor; any thread.
    public var isInLoopThread: Bool {
        loopThread.load(ordering: .relaxed) == UInt(pthread_self())
    }

    /// A copy of `counters` as of the last loop cycle; any thread.
    public var countersSnapshot: ReactorCounters { published.withLock { $0 } }

    /// Runs the loop on the calling thread until `stop()`; the calling thread becomes the loop thread.
    public func run() throws {
        guard !running.exchange(true, ordering: .acquiring) else { throw ReactorError.alreadyRunning }
        defer {
            stopRequested.store(false, ordering: .relaxed)
            running.store(false, ordering: .releasing)
        }
        loopThread.store(UInt(pthread_self()), ordering: .releasing)
        while !stopRequested.load(ordering: .acquiring) {
            try runOnce()
        }
    }

    /// Makes `run()` return after its current cycle; any thread.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        tasks.wake()
    }

    /// Runs `task` on the loop thread during a coming cycle; any thread. Tasks run in the order
    /// they were handed in.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        tasks.push(task)
    }

    /// One cycle: wait, dispatch I/O, fire due timers, then flush what this cycle produced.
    private func runOnce() throws {
        let timeout = dirty.isEmpty ? timers.pollTimeout(now: MonotonicClock.milliseconds()) : 0
        let count = try poller.poll(timeout: timeout)
        totals.pollCycles += 1
        for index in 0..<count {
            let (fd, generation, ready) = poller.event(at: index)
            dispatch(fd: fd, generation: generation, ready: ready)
        }
        // Timers after I/O: bytes that arrived just before a deadline are handled rather than
        // timed out, and a deadline cancelled by that I/O never fires.
        fireDueTimers()
        flushDirty()
        for hook in cycleEndHooks { hook() }
        published.withLock { $0 = totals }
    }

    /// Runs `hook` at the end of every cycle, after output is flushed; loop thread. For work worth
    /// batching across the events of one wake-up, such as log lines.
    public func onCycleEnd(_ hook: @escaping () -> Void) {
        assert(isInLoopThread)
        var hooks: [() -> Void] = []
        swap(&hooks, &cycleEndHooks)
        hooks.append(hook)
        swap(&hooks, &cycleEndHooks)
    }

    /// Hands one event to the owner of `fd`, unless it is for an earlier registration of that fd.
    /// Internal, not private, so tests can deliver a stale event.
    func dispatch(fd: Int32, generation: UInt32, ready: Interest) {
        let index = Int(UInt32(bitPattern: fd))  // never negative: spares the array a check per event
        // No match: the fd was closed earlier in this same batch of events, and perhaps reused.
        guard index < registrations.count, let registration = registrations[index],
            registration.generation == generation
        else {
            totals.staleEvents += 1
            return
        }
        switch registration.source {
        case .connection(let connection): connection.handle(ready)
        case .listener(let listener): listener.acceptReady()
        case .signals(let signals): signals.deliver()
        case .wakeup: runTasks()
        }
    }

    // The batch arrays below are swapped into locals before use. Calling out (tasks, handlers) or
    // releasing objects while a stored property is being accessed would make every access to that
    // property pay a runtime exclusivity check; swaps are instant accesses the optimizer can prove.

    private func runTasks() {
        totals.wakeups += 1
        totals.wakeupSignals = tasks.signals.load(ordering: .relaxed)
        var batch: [TaskQueue.Job] = []
        swap(&batch, &taskBatch)
        tasks.take(into: &batch)
        for task in batch { task.run() }
        totals.tasksRun += batch.count
        batch.removeAll(keepingCapacity: true)
        swap(&batch, &taskBatch)
    }

    /// Writes each dirty connection's output with one syscall; output produced while doing so
    /// (a handler refilling from `connectionDidDrain`) is handled in the same cycle.
    private func flushDirty() {
        while !dirty.isEmpty {
            var batch: [Connection] = []
            swap(&batch, &dirtyBatch)
            swap(&batch, &dirty)
            for connection in batch { connection.endOfCycle() }
            batch.removeAll(keepingCapacity: true)
            swap(&batch, &dirtyBatch)
        }
    }

    func markDirty(_ connection: Connection) {
        // Appended in a local: an access to `dirty` spanning the append (which may allocate) would
        // keep a runtime exclusivity check on every access to it (callgrind).
        var list: [Connection] = []
        swap(&list, &dirty)
        list.append(connection)
        swap(&list, &dirty)
    }

    /// A generation no earlier registration on this reactor carried (until it wraps, see
    /// `Registration`); pass it to `register` and to every `poller.modify` of that fd.
    func nextGeneration() -> UInt32 {
        lastGeneration &+= 1
        return lastGeneration
    }

    /// Watches `fd` for `interest` and routes its events, tagged `generation`, to `source`.
    func register(_ source: Source, fd: Int32, generation: UInt32, interest: Interest) throws {
        assert(isInLoopThread)
        try poller.add(fd, generation: generation, interest: interest)
        let index = Int(fd)
        // The table is changed in a local, and a replaced entry released only once it is back: an
        // access to `registrations` spanning an allocation or a release would keep a runtime
        // exclusivity check on the read that routes every event (callgrind).
        var table: [Registration?] = []
        swap(&table, &registrations)
        if index >= table.count {
            table.append(contentsOf: repeatElement(nil, count: max(index + 1 - table.count, table.count)))
        }
        var entry: Registration? = Registration(source: source, generation: generation)
        swap(&entry, &table[index])
        swap(&table, &registrations)
    }

    /// Forgets `fd`'s owner once `fd` is closed (closing took it out of the epoll set).
    func unregister(_ fd: Int32) {
        assert(isInLoopThread)
        // Beyond the table: a connection aborted because `register` failed for it.
        guard Int(fd) < registrations.count else { return }
        // Released at the end of this scope, once the table is back (see `register`).
        var table: [Registration?] = []
        swap(&table, &registrations)
        var gone: Registration?
        swap(&gone, &table[Int(fd)])
        swap(&table, &registrations)
    }
}
