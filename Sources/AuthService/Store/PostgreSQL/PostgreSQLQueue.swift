import CPostgres
import Synchronization

/// The one thread that owns the PostgreSQL connection, in pipeline mode. Each turn it takes every
/// job waiting and sends them all before reading any answer: the reads in one pipeline segment,
/// then the writes between BEGIN and COMMIT in another (group commit), then waits for the answers
/// of that one round trip. A write's answer is delivered only after COMMIT succeeded.
///
/// A statement that fails aborts its segment, so the other jobs of it did not happen: the failed
/// job gets its error and the others run again in the next turn (a few times at most). A lost
/// connection, a server shutting down or a session turned read-only (a demoted primary) fails
/// every job in flight and queued with `.unavailable`, turns the health `unavailable`, and the
/// thread reconnects with growing delays until it succeeds. Every job has a deadline, so nothing
/// waits on a silent server longer than that. Thread-safe: submit from any thread; completions
/// run on the store thread.
final class PostgreSQLQueue: Sendable {
    /// A probe unanswered for this long reads as `unavailable`.
    private static let probeDeadline = Duration.seconds(2)

    private let jobs = PostgreSQLJobQueue()
    /// The thread whose submissions leave the store thread asleep until `wakeHeld()`.
    private let holder = HoldingThread()
    private let thread: WorkerThread
    private let stopped = Atomic<Bool>(false)
    private let health: HealthState
    private let counters = PostgreSQLCounters()
    /// How long a job may wait and run.
    let operationTimeout: Duration

    /// Connects to `location` (failing at once when that fails), then starts the store thread,
    /// which owns the connection from now on. `onHealthChange` hears each change of health once.
    init(
        location: String, operationTimeout: Duration,
        onHealthChange: @escaping @Sendable (StoreHealth, StoreHealth) -> Void
    ) throws(StoreError) {
        let first = try Self.open(location, timeout: operationTimeout)
        // Handed over: from here on only the store thread touches it.
        nonisolated(unsafe) let connection = first
        self.operationTimeout = operationTimeout
        let health = HealthState(onChange: onHealthChange)
        self.health = health
        let jobs = self.jobs
        let counters = self.counters
        do {
            thread = try WorkerThread(name: "authd-store") {
                PostgreSQLWorker(
                    location: location, timeout: operationTimeout, connection: connection, jobs: jobs, health: health,
                    counters: counters
                ).run()
            }
        } catch {
            throw .failure(code: error.code, message: "cannot start the store thread")
        }
    }

    /// Round trips made so far (one per batch sent): what pipelining saves shows here.
    var roundTrips: Int { counters.roundTrips.load(ordering: .relaxed) }

    /// Connections made again after one was lost.
    var reconnects: Int { counters.reconnects.load(ordering: .relaxed) }

    var depth: Int { jobs.count }

    /// The health and fault totals now; a probe overdue by its deadline reads as `unavailable`.
    var status: StoreStatus {
        var status = health.status(probeDeadline: Self.probeDeadline)
        status.reconnects = reconnects
        return status
    }

    /// Asks the server whether it still answers, unless a probe is already waiting.
    func probe() {
        guard health.startProbe(at: ContinuousClock.now) else { return }
        let health = self.health
        submit(writes: false, [.init(statement: .ping, parameters: [])]) { _ in
            ()
        } completion: { _ in
            health.endProbe()
        }
    }

    /// Queues an operation of `steps`; `completion` gets what `decode` makes of their results once
    /// its transaction committed (reads: once they ran), or the error that prevented it.
    func submit<T: Sendable>(
        writes: Bool, alone: Bool = false, _ steps: [PostgreSQLJob.Step],
        decode: @escaping @Sendable ([PostgreSQLResult]) throws(StoreError) -> T,
        completion: @escaping StoreCompletion<T>
    ) {
        let health = self.health
        let finish: @Sendable (Result<T, StoreError>) -> Void = { outcome in
            if case .failure(let error) = outcome, StoreHealth(error) != nil { health.refused() }
            completion(outcome)
        }
        let job = PostgreSQLJob(
            writes: writes, alone: alone, steps: steps, deadline: .now + operationTimeout,
            decode: { results in
                let result: Result<T, StoreError>
                do throws(StoreError) {
                    result = .success(try decode(results))
                } catch {
                    result = .failure(error)
                }
                return { batchError in finish(batchError.map { .failure($0) } ?? result) }
            },
            fail: { error in finish(.failure(error)) })
        if !jobs.push(job, waking: holder.submissionWakes) { completion(.failure(.closed)) }
    }

    /// From now on, jobs submitted on the calling thread wake the store thread only at the next
    /// `wakeHeld()`, which that thread must call after each burst (a reactor: once per cycle).
    func holdWakeups() {
        holder.take()
    }

    /// Wakes the store thread for the jobs the holding thread submitted since the last call.
    func wakeHeld() {
        jobs.wakeHeld()
    }

    /// Runs the queued jobs, closes the connection and joins the thread. Blocks. Later submissions
    /// are answered `.closed`; later calls return at once.
    func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        jobs.close()
        thread.join()
    }

    /// A connection with the schema up to date, its statements prepared, in pipeline mode.
    static func open(_ location: String, timeout: Duration) throws(StoreError) -> PostgreSQLConnection {
        let connection = try PostgreSQLConnection.connect(to: location, timeout: timeout)
        try PostgreSQLSchema.prepare(connection)
        // The server gives up on a statement stuck behind a lock before authd gives up on its
        // answer, and notices a vanished authd while a statement runs: an operation answered as
        // failed is then rolled back rather than committed later (unless its COMMIT was already
        // under way when the connection went).
        let serverTimeout = timeout * 4 / 5
        let milliseconds =
            serverTimeout.components.seconds * 1000 + serverTimeout.components.attoseconds / 1_000_000_000_000_000
        try connection.execute(
            "SELECT set_config('statement_timeout', $1, false), set_config('client_connection_check_interval', '1000', false)",
            [.text("\(milliseconds)ms")])
        try connection.prepareStatements()
        try connection.enterPipelineMode()
        return connection
    }
}
