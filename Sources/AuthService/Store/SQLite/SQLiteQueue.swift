import Synchronization

/// The one thread that owns the SQLite connection. Jobs run in submission order; the writes waiting
/// at one moment share one transaction (group commit), and every answer in it is delivered only
/// after COMMIT. When the transaction cannot begin or commit, none of its writes is applied and
/// each of them gets the error. Thread-safe: submit from any thread; completions run on the store thread.
final class SQLiteQueue: Sendable {
    /// Whether a job may write; read-only jobs never wait for the write lock.
    enum Access: Sendable {
        case read, write
    }

    /// One unit of store work. `run` executes on the store thread and returns the delivery to call
    /// once the batch's fate is known: with nil when committed, else with the error that undid it.
    /// Given no table, it runs nothing and its delivery reports the error it is then called with.
    struct Job: Sendable {
        var access: Access
        var run: @Sendable (SQLiteUsersTable?) -> @Sendable (StoreError?) -> Void
    }

    // Bounds one transaction so a long backlog still commits (and answers) in steps.
    private static let maximumBatch = 256

    private let jobs = JobQueue<Job>()
    private let thread: WorkerThread
    private let stopped = Atomic<Bool>(false)

    /// Starts the store thread, which owns `table` from now on and closes it at shutdown.
    init(table: sending SQLiteUsersTable) throws(WorkerThread.StartFailure) {
        nonisolated(unsafe) let table = table
        let jobs = self.jobs
        thread = try WorkerThread(name: "authd-store") {
            while let batch = jobs.pop(upTo: SQLiteQueue.maximumBatch) {
                let unrun = SQLiteQueue.runBatch(batch, on: table)
                jobs.pushFront(unrun)
            }
            table.close()
        }
    }

    /// Jobs waiting for the store thread.
    var depth: Int { jobs.count }

    /// Queues `body` to run on the store thread; `completion` gets its result once its transaction
    /// committed, or the error that prevented it. A closed queue answers `.closed` at once.
    func submit<T: Sendable>(
        _ access: Access,
        _ body: @escaping @Sendable (SQLiteUsersTable) throws(StoreError) -> T,
        completion: @escaping StoreCompletion<T>
    ) {
        let accepted = jobs.push(Job(access: access) { table in
            guard let table else { return { error in completion(.failure(error ?? .busy)) } }
            let result: Result<T, StoreError>
            do throws(StoreError) {
                result = .success(try body(table))
            } catch {
                result = .failure(error)
            }
            return { batchError in
                // A job's own failure is more precise than the batch's, so it wins.
                if let batchError, case .success = result {
                    completion(.failure(batchError))
                } else {
                    completion(result)
                }
            }
        })
        if !accepted { completion(.failure(.closed)) }
    }

    /// Runs the queued jobs, closes the database (checkpointing the WAL) and joins the thread. Blocks.
    /// Later submissions are answered `.closed`; later calls return at once.
    func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        jobs.close()
        thread.join()
    }

    /// Runs a batch, writes inside one transaction; returns the jobs it could not run in that transaction.
    private static func runBatch(_ batch: ArraySlice<Job>, on table: SQLiteUsersTable) -> ArraySlice<Job> {
        guard batch.contains(where: { $0.access == .write }) else {
            for job in batch {
                job.run(table)(nil)
            }
            return []
        }
        do {
            try table.begin()
        } catch {
            // No transaction, so no write may run (in autocommit it would apply and then be
            // reported as failed); reads need no write lock and still run.
            for job in batch {
                job.access == .read ? job.run(table)(nil) : job.run(nil)(error)
            }
            return []
        }
        var deliveries: [@Sendable (StoreError?) -> Void] = []
        deliveries.reserveCapacity(batch.count)
        for (offset, job) in zip(batch.indices, batch) {
            deliveries.append(job.run(table))
            // A failed statement can make SQLite roll back everything (I/O error, disk full): what ran
            // so far is lost; the rest must not run in autocommit mode as if it were grouped.
            if !table.isInTransaction {
                let error = StoreError.failure(code: 0, message: "transaction rolled back by SQLite")
                deliveries.forEach { $0(error) }
                return batch[(offset + 1)...]
            }
        }
        do {
            try table.commit()
        } catch {
            table.rollback()
            deliveries.forEach { $0(error) }
            return []
        }
        deliveries.forEach { $0(nil) }
        return []
    }
}
