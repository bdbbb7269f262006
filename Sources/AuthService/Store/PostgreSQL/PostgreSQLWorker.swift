import CPostgres

/// The store thread of `PostgreSQLQueue` (which says what it does): the connection, the batches
/// and the reconnection. Not thread-safe: it lives on that thread alone.
final class PostgreSQLWorker {
    /// Bounds one round trip, so a long backlog still commits (and answers) in steps.
    private static let maximumBatch = 256
    /// A job undone this many times by other jobs' failures fails with `.busy`.
    private static let maximumAttempts = 3
    private static let firstReconnectDelay = Duration.milliseconds(50)
    private static let longestReconnectDelay = Duration.seconds(2)
    /// The least time a batch is given for its answers, even when it holds a job near its deadline.
    private static let shortestWait = Duration.seconds(1)

    /// Where a result read from the pipeline belongs.
    private enum Slot {
        case job(Int)
        case control
        case sync
    }

    /// What the results of one job say.
    private enum Verdict {
        case ran
        case failed(StoreError, reconnect: Bool)
        /// Undone or never run because of another statement: worth running again.
        case again
    }

    private let location: String
    private let timeout: Duration
    private var connection: PostgreSQLConnection?
    private let jobs: PostgreSQLJobQueue
    private let health: HealthState
    private let counters: PostgreSQLCounters
    private var reconnectDelay = PostgreSQLWorker.firstReconnectDelay
    private var reconnectAt = ContinuousClock.now
    private var lastFailure = ""
    private var retries: [PostgreSQLJob] = []
    // Reused by every batch.
    private var slots: [Slot] = []
    private var results: [[OpaquePointer]] = []

    init(
        location: String, timeout: Duration, connection: PostgreSQLConnection, jobs: PostgreSQLJobQueue,
        health: HealthState, counters: PostgreSQLCounters
    ) {
        self.location = location
        self.timeout = timeout
        self.connection = connection
        self.jobs = jobs
        self.health = health
        self.counters = counters
    }

    /// Serves batches until the queue is closed and empty, then closes the connection.
    func run() {
        while true {
            var batch = retries
            retries = []
            let taken = jobs.take(upTo: Self.maximumBatch - batch.count)
            batch.append(contentsOf: taken.jobs)
            if batch.isEmpty {
                if taken.closed { break }
                if connection == nil {
                    jobs.wait(timeout: max(.zero, reconnectAt - .now))
                    if ContinuousClock.now >= reconnectAt { reconnect() }
                } else {
                    jobs.wait(timeout: nil)
                }
                continue
            }
            let now = ContinuousClock.now
            batch.removeAll { job in
                guard job.deadline <= now else { return false }
                job.fail(.unavailable(message: "PostgreSQL did not answer within \(timeout)"))
                return true
            }
            if let idle = connection, !idle.isStillUsableWhileIdle() {
                // Lost while nothing was in flight: nothing of this batch was sent, so it waits for a
                // new connection at once instead of failing.
                lose(idle.errorMessage)
                reconnectAt = now
            }
            if connection == nil, now >= reconnectAt { reconnect() }
            guard let connection else {
                for job in batch { job.fail(.unavailable(message: "no PostgreSQL connection (\(lastFailure))")) }
                continue
            }
            if !batch.isEmpty { run(batch, on: connection) }
        }
        connection = nil
    }

    /// Sends the whole batch, reads every answer, and delivers what the answers allow.
    private func run(_ batch: [PostgreSQLJob], on connection: PostgreSQLConnection) {
        let reads = batch.filter { !$0.writes }
        let writes = batch.filter(\.writes)
        let ordered = reads + writes
        slots.removeAll(keepingCapacity: true)
        var sent = true
        for (index, job) in reads.enumerated() {
            for step in job.steps {
                sent = sent && connection.send(step.statement, step.parameters)
                slots.append(.job(index))
            }
            if job.alone || index == reads.count - 1 {
                sent = sent && connection.sync()
                slots.append(.sync)
            }
        }
        if !writes.isEmpty {
            sent = sent && connection.send("BEGIN")
            slots.append(.control)
            for (index, job) in writes.enumerated() {
                for step in job.steps {
                    sent = sent && connection.send(step.statement, step.parameters)
                    slots.append(.job(reads.count + index))
                }
            }
            sent = sent && connection.send("COMMIT")
            slots.append(.control)
            sent = sent && connection.sync()
            slots.append(.sync)
        }
        counters.roundTrips.add(1, ordering: .relaxed)
        guard sent else { return abandon(ordered, connection.errorMessage) }

        results.removeAll(keepingCapacity: true)
        results.append(contentsOf: repeatElement([], count: ordered.count))
        var control: [OpaquePointer] = []
        defer {
            for list in results { list.forEach(PQclear) }
            control.forEach(PQclear)
        }
        let earliest = batch.lazy.map(\.deadline).min() ?? .now
        let deadline = max(earliest, .now + Self.shortestWait)
        do throws(StoreError) {
            var unflushed = try !connection.flush()
            for slot in slots {
                let result = try connection.nextResult(until: deadline, unflushed: &unflushed)
                switch slot {
                case .sync:
                    guard let result, PQresultStatus(result) == PGRES_PIPELINE_SYNC else {
                        result.map(PQclear)
                        throw .unavailable(message: "PostgreSQL pipeline out of step")
                    }
                    PQclear(result)
                    continue
                case .job(let index):
                    guard let result else { throw .unavailable(message: "PostgreSQL pipeline out of step") }
                    results[index].append(result)
                case .control:
                    guard let result else { throw .unavailable(message: "PostgreSQL pipeline out of step") }
                    control.append(result)
                }
                // Each query's results end with a nil.
                while let extra = try connection.nextResult(until: deadline, unflushed: &unflushed) { PQclear(extra) }
            }
        } catch .unavailable(let message) {
            return abandon(ordered, message)
        } catch {
            return abandon(ordered, error.description)
        }

        var reconnectNeeded = false
        for (index, job) in reads.enumerated() {
            settle(job, verdict(of: results[index]), results: index, reconnectNeeded: &reconnectNeeded)
        }
        if !writes.isEmpty {
            let verdicts = writes.indices.map { verdict(of: results[reads.count + $0]) }
            let commit = control.count == 2 ? verdict(of: control) : .failed(.busy, reconnect: true)
            for (index, job) in writes.enumerated() {
                var outcome = verdicts[index]
                // A job that ran is undone unless BEGIN and COMMIT succeeded too.
                if case .ran = outcome { outcome = commit }
                settle(job, outcome, results: reads.count + index, reconnectNeeded: &reconnectNeeded)
            }
            if case .failed(_, let reconnect) = commit, reconnect { reconnectNeeded = true }
            if case .ran = commit {
                if health.current != .serving { health.observe(.serving) }
            } else if !reconnectNeeded && !rollBack(on: connection, until: deadline) {
                reconnectNeeded = true
            }
        }
        if reconnectNeeded || !connection.isHealthy { lose(connection.errorMessage) }
    }

    /// Ends the transaction a failed statement left open: a Sync ends only implicit transactions,
    /// so after BEGIN the session would refuse everything (25P02) until this ROLLBACK. One more
    /// round trip, on failures only. False when the connection cannot go on.
    private func rollBack(on connection: PostgreSQLConnection, until deadline: ContinuousClock.Instant) -> Bool {
        guard connection.send("ROLLBACK"), connection.sync() else { return false }
        counters.roundTrips.add(1, ordering: .relaxed)
        do throws(StoreError) {
            var unflushed = try !connection.flush()
            var rolledBack = false
            while true {
                guard let result = try connection.nextResult(until: deadline, unflushed: &unflushed) else { continue }
                defer { PQclear(result) }
                if PQresultStatus(result) == PGRES_PIPELINE_SYNC { return rolledBack }
                rolledBack = PostgreSQLResult(result).succeeded
            }
        } catch {
            return false
        }
    }

    /// What a job's results (or BEGIN and COMMIT's) say: its first failure, if any.
    private func verdict(of results: [OpaquePointer]) -> Verdict {
        for result in results.lazy.map(PostgreSQLResult.init) where !result.succeeded {
            if result.wasSkipped || result.isRetryable { return .again }
            return .failed(result.failure ?? .busy, reconnect: result.needsReconnect)
        }
        return .ran
    }

    /// Delivers, fails or requeues one job of a batch whose fate is known.
    private func settle(_ job: PostgreSQLJob, _ verdict: Verdict, results index: Int, reconnectNeeded: inout Bool) {
        switch verdict {
        case .ran:
            job.decode(results[index].map(PostgreSQLResult.init))(nil)
        case .failed(let error, let reconnect):
            if reconnect {
                // Before the answer, so whoever gets it already sees the store unavailable.
                health.observe(.unavailable)
                reconnectNeeded = true
            }
            job.fail(error)
        case .again:
            var again = job
            again.attempts += 1
            if again.attempts >= Self.maximumAttempts { job.fail(.busy) } else { retries.append(again) }
        }
    }

    /// Fails every job of the batch and drops the connection.
    private func abandon(_ batch: [PostgreSQLJob], _ message: String) {
        lose(message)
        for job in batch { job.fail(.unavailable(message: message)) }
    }

    /// Drops the connection; the next one is tried after the current delay.
    private func lose(_ message: String) {
        connection = nil
        lastFailure = message
        health.observe(.unavailable)
        reconnectAt = .now + reconnectDelay
    }

    /// One attempt at a new connection; on failure the delay before the next one doubles.
    private func reconnect() {
        do {
            connection = try PostgreSQLQueue.open(location, timeout: timeout)
            counters.reconnects.add(1, ordering: .relaxed)
            reconnectDelay = Self.firstReconnectDelay
            health.observe(.serving)
        } catch {
            lastFailure = error.description
            reconnectAt = .now + reconnectDelay
            reconnectDelay = min(reconnectDelay * 2, Self.longestReconnectDelay)
        }
    }
}
