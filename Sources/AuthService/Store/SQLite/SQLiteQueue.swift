import Synchronization

/// The one thread that owns the SQLite connection. Jobs run in submission order, the reads of a
/// batch before its writes (they need no lock, so a writer stuck behind another process's lock
/// delays them by one busy timeout at most); the writes waiting at one moment share one
/// transaction (group commit), and every answer in it is delivered only after COMMIT. When the
/// transaction cannot begin or commit, none of its writes is applied and each of them gets the error.
///
/// It also keeps the store's health: each write batch first checks that the database file is still
/// the one opened, failures classify the storage (full, read-only, lost, unavailable), and while
/// unhealthy a small write is retried every few seconds so service resumes by itself.
/// Thread-safe: submit from any thread; completions run on the store thread.
final class SQLiteQueue: Sendable {
    /// Whether a job may write; read-only jobs never wait for the write lock.
    enum Access: Sendable {
        case read, write
    }

    /// One unit of store work. `run` executes on the store thread and returns the delivery to call
    /// once the batch's fate is known: with nil when committed, else with the error that undid it
    /// (a read has answered already, and its delivery does nothing). Given no table (only writes
    /// are), it runs nothing and its delivery reports the error it is then called with.
    struct Job: Sendable {
        var access: Access
        var work: Work

        /// Runs the work on `table` (see `Job`); a typed job reports storage faults to `health`, and
        /// a session lookup keeps what it found in `sessions`.
        func run(
            _ table: SQLiteUsersTable?, health: HealthState, sessions: SessionReadCache
        ) -> @Sendable (StoreError?) -> Void {
            switch work {
            case .body(let run):
                return run(table)
            case .findSession(let key, let stamp, let completion):
                guard let table else {
                    return { error in
                        if let error, StoreHealth(error) != nil { health.refused() }
                        completion(.failure(error ?? .busy))
                    }
                }
                do throws(StoreError) {
                    let holder = try table.findSession(key)
                    if let holder, let stamp { sessions.fill(key, with: holder, stampedAt: stamp) }
                    completion(.success(holder))
                } catch {
                    // A file that fails reads may fail others' too: none is answered from memory.
                    sessions.invalidate()
                    if StoreHealth(error) != nil { health.refused() }
                    completion(.failure(error))
                }
                return SQLiteQueue.delivered
            }
        }
    }

    /// What a job does.
    enum Work: Sendable {
        /// Any operation, as a closure.
        case body(@Sendable (SQLiteUsersTable?) -> @Sendable (StoreError?) -> Void)
        /// The read behind every authenticated request, spelled out: the closures of `.body` and
        /// their generic thunks cost two allocations per lookup (callgrind). The stamp is the session
        /// cache's when the lookup was queued; nil keeps nothing.
        case findSession(SecretKey, SessionReadCache.Stamp?, StoreCompletion<SessionHolder?>)
    }

    // Bounds one transaction so a long backlog still commits (and answers) in steps.
    private static let maximumBatch = 256
    /// How often the store thread looks after the file and, when unhealthy, retries a write.
    private static let checkMilliseconds = 2000
    /// A probe unanswered for this long reads as `unavailable`.
    private static let probeDeadline = Duration.seconds(1)

    /// The delivery of a job already answered: a closure without context, so returning it allocates nothing.
    private static let delivered: @Sendable (StoreError?) -> Void = { _ in }

    private let jobs = JobQueue<Job>()
    /// The thread whose submissions leave the store thread asleep until `wakeHeld()`.
    private let holder = HoldingThread()
    private let thread: WorkerThread
    private let stopped = Atomic<Bool>(false)
    private let health: HealthState
    /// The session lookups answered lately; every committed write batch and change of health
    /// invalidates them (see `SessionReadCache`).
    let sessions: SessionReadCache

    /// Starts the store thread, which owns `table` from now on and closes it at shutdown.
    /// `onHealthChange` hears each change of health once (one log line per episode), on the store
    /// thread. `commits` counts the file's commits for the session cache; nil leaves it empty.
    init(
        table: sending SQLiteUsersTable, commits: WALChangeCounter?, clock: @escaping @Sendable () -> Int64,
        onHealthChange: @escaping @Sendable (StoreHealth, StoreHealth) -> Void
    ) throws(WorkerThread.StartFailure) {
        nonisolated(unsafe) let table = table
        let jobs = self.jobs
        let sessions = SessionReadCache(commits: commits)
        self.sessions = sessions
        let health = HealthState { from, to in
            sessions.invalidate()
            onHealthChange(from, to)
        }
        self.health = health
        thread = try WorkerThread(name: "authd-store") {
            var lastCheck = ContinuousClock.now
            var batch: [Job] = []
            while jobs.pop(into: &batch, upTo: SQLiteQueue.maximumBatch, waitingAtMost: Self.checkMilliseconds) {
                if ContinuousClock.now - lastCheck >= .milliseconds(Self.checkMilliseconds) {
                    lastCheck = ContinuousClock.now
                    Self.lookAfter(table, health: health, clock: clock)
                }
                guard !batch.isEmpty else { continue }
                let unrun = SQLiteQueue.runBatch(batch[...], on: table, health: health, sessions: sessions)
                jobs.pushFront(unrun)
                // The jobs go now, on this thread, not when the next batch arrives.
                batch.removeAll(keepingCapacity: true)
            }
            table.close()
        }
    }

    /// Jobs waiting for the store thread.
    var depth: Int { jobs.count }

    /// The health and fault totals now; a probe overdue by its deadline reads as `unavailable`.
    var status: StoreStatus { health.status(probeDeadline: Self.probeDeadline) }

    /// Asks the store thread whether it still answers (a trivial query, and the file check), unless a
    /// probe is already waiting. `status` meanwhile answers from the last known state.
    func probe() {
        guard health.startProbe(at: ContinuousClock.now) else { return }
        let health = self.health
        submit(
            .read,
            { table throws(StoreError) in
                guard table.fileIsStillThere else { throw .lost }
                try table.answersQuery()
            },
            completion: { result in
                health.endProbe()
                if case .failure(let error) = result, let fault = StoreHealth(error) { health.observe(fault) }
            })
    }

    /// Queues `body` to run on the store thread; `completion` gets its result once its transaction
    /// committed, or the error that prevented it. A closed queue answers `.closed` at once.
    func submit<T: Sendable>(
        _ access: Access,
        _ body: @escaping @Sendable (SQLiteUsersTable) throws(StoreError) -> T,
        completion: @escaping StoreCompletion<T>
    ) {
        let health = self.health
        let run: @Sendable (SQLiteUsersTable?) -> @Sendable (StoreError?) -> Void = { table in
            guard let table else {
                return { error in
                    if let error, StoreHealth(error) != nil { health.refused() }
                    completion(.failure(error ?? .busy))
                }
            }
            let result: Result<T, StoreError>
            do throws(StoreError) {
                result = .success(try body(table))
            } catch {
                result = .failure(error)
            }
            // A read's answer is final once it ran (no COMMIT to wait for): answered now, it
            // needs no delivery closure holding the result, one allocation per read less.
            if access == .read {
                if case .failure(let error) = result, StoreHealth(error) != nil { health.refused() }
                completion(result)
                return Self.delivered
            }
            return { batchError in
                // A job's own failure is more precise than the batch's, so it wins.
                let outcome: Result<T, StoreError> =
                    if let batchError, case .success = result { .failure(batchError) } else { result }
                if case .failure(let error) = outcome, StoreHealth(error) != nil { health.refused() }
                completion(outcome)
            }
        }
        if !push(Job(access: access, work: .body(run))) { completion(.failure(.closed)) }
    }

    /// Looks up the holder of a session on the store thread, as `submit(.read, …)` would, and keeps
    /// a holder found in `sessions` under `stamp` (taken before this call), unless nil.
    func findSession(
        _ key: SecretKey, stamp: SessionReadCache.Stamp?, completion: @escaping StoreCompletion<SessionHolder?>
    ) {
        if !push(Job(access: .read, work: .findSession(key, stamp, completion))) { completion(.failure(.closed)) }
    }

    /// Queues `job`, waking the store thread unless the holder submits it; false once closed.
    private func push(_ job: Job) -> Bool {
        jobs.push(job, wakingWorker: holder.submissionWakes)
    }

    /// From now on, jobs submitted on the calling thread wake the store thread only at the next
    /// `wakeHeld()`, which that thread must call after each burst (a reactor: once per cycle).
    /// At 64 connections the store thread otherwise woke for every fifth lookup or so.
    func holdWakeups() {
        holder.take()
    }

    /// Wakes the store thread for the jobs the holding thread submitted since the last call.
    func wakeHeld() {
        jobs.wakeHeld()
    }

    /// Runs the queued jobs, closes the database (checkpointing the WAL) and joins the thread. Blocks.
    /// Later submissions are answered `.closed`; later calls return at once.
    func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        sessions.stop()
        jobs.close()
        thread.join()
    }

    /// Runs a batch: its reads at once, its writes inside one transaction; returns the writes it
    /// could not run in that transaction.
    private static func runBatch(
        _ batch: ArraySlice<Job>, on table: SQLiteUsersTable, health: HealthState, sessions: SessionReadCache
    ) -> ArraySlice<Job> {
        let readCount = batch.count(where: { $0.access == .read })
        runReads(batch, count: readCount, on: table, health: health, sessions: sessions)
        // Most batches hold reads only: those need neither the filtering nor a write transaction.
        guard readCount < batch.count else { return [] }
        let writes = batch.filter { $0.access == .write }
        // A removed or replaced file would swallow every write and lose it at exit.
        if health.current == .lost || !table.fileIsStillThere {
            health.observe(.lost)
            for job in writes { job.run(nil, health: health, sessions: sessions)(.lost) }
            return []
        }
        do {
            try table.begin()
        } catch {
            // No transaction, so no write may run: in autocommit mode it would apply and then be
            // reported as failed.
            if let fault = StoreHealth(error) { health.observe(fault) }
            for job in writes { job.run(nil, health: health, sessions: sessions)(error) }
            return []
        }
        var deliveries: [@Sendable (StoreError?) -> Void] = []
        deliveries.reserveCapacity(writes.count)
        for (offset, job) in writes.enumerated() {
            deliveries.append(job.run(table, health: health, sessions: sessions))
            // A failed statement can make SQLite roll back everything (I/O error, disk full): what ran
            // so far is lost; the rest must not run in autocommit mode as if it were grouped.
            if !table.isInTransaction {
                let error = StoreError.failure(code: 0, message: "transaction rolled back by SQLite")
                for deliver in deliveries { deliver(error) }
                return ArraySlice(writes.dropFirst(offset + 1))
            }
        }
        do {
            try table.commit()
        } catch {
            table.rollback()
            if let fault = StoreHealth(error) { health.observe(fault) }
            for deliver in deliveries { deliver(error) }
            return []
        }
        health.observe(.serving)
        // Before any answer: a check that starts after one must not find what this batch changed.
        sessions.invalidate()
        for deliver in deliveries { deliver(nil) }
        return []
    }

    /// Runs the batch's `count` reads, several of them inside one read transaction: SQLite takes and
    /// drops its WAL read lock (an `fcntl` each way) per transaction, so one per batch instead of
    /// one per statement. The transaction ends with the batch: the next batch sees every commit
    /// made before it, this process's or another's.
    private static func runReads(
        _ batch: ArraySlice<Job>, count: Int, on table: SQLiteUsersTable, health: HealthState,
        sessions: SessionReadCache
    ) {
        // BEGIN (deferred) takes no lock; should it fail, the reads run one statement at a time.
        let grouped = count > 1 && (try? table.beginRead()) != nil
        for job in batch where job.access == .read {
            job.run(table, health: health, sessions: sessions)(nil)
        }
        // Read only, so nothing to keep: ending it cannot lose a write.
        if grouped { table.rollback() }
    }

    /// Every few seconds on the store thread: the file check, and while writes fail, one small write
    /// to learn whether they work again.
    private static func lookAfter(_ table: SQLiteUsersTable, health: HealthState, clock: () -> Int64) {
        guard health.current != .lost else { return }
        guard table.fileIsStillThere else { return health.observe(.lost) }
        guard health.current != .serving else { return }
        do {
            try table.begin()
            try table.writeHealthCheck(at: clock())
            try table.commit()
            health.observe(.serving)
        } catch {
            table.rollback()
            if let fault = StoreHealth(error) { health.observe(fault) }
        }
    }
}
