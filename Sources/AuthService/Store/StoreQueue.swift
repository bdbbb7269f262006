/// The one thread that owns the UserStore. Jobs run in submission order; the writes waiting at one
/// moment share one transaction (group commit), and every answer in it is delivered only after COMMIT.
/// Thread-safe: submit from any thread; completions run on the store thread.
final class StoreQueue: Sendable {
    /// Whether a job may write; read-only batches skip the transaction.
    enum Access: Sendable {
        case read, write
    }

    /// One unit of store work. `run` executes on the store thread and returns the delivery to call once
    /// the batch's fate is known: nil when committed, else the error that undid the batch.
    struct Job: Sendable {
        var access: Access
        var run: @Sendable (UserStore) -> @Sendable (UserStoreError?) -> Void
    }

    // Bounds one transaction so a long backlog still commits (and answers) in steps.
    private static let maximumBatch = 256

    private let jobs = JobQueue<Job>()
    private let thread: WorkerThread

    /// Starts the store thread, which owns `store` from now on and closes it at shutdown.
    init(store: sending UserStore) throws(WorkerThread.StartFailure) {
        nonisolated(unsafe) let store = store
        let jobs = self.jobs
        thread = try WorkerThread(name: "authd-store") {
            while let batch = jobs.pop(upTo: StoreQueue.maximumBatch) {
                let unrun = StoreQueue.runBatch(batch, on: store)
                jobs.pushFront(unrun)
            }
            store.close()
        }
    }

    /// Jobs waiting for the store thread.
    var depth: Int { jobs.count }

    /// Queues `body` to run on the store thread; `completion` gets its result after its transaction
    /// committed (or the error that prevented it). False when the queue is shut down (nothing will run).
    func submit<T: Sendable>(
        _ access: Access,
        _ body: @escaping @Sendable (UserStore) throws -> T,
        completion: @escaping @Sendable (Result<T, UserStoreError>) -> Void
    ) -> Bool {
        jobs.push(Job(access: access) { store in
            // Bodies only call UserStore, which throws nothing but UserStoreError.
            let result = Result { try body(store) }.mapError { error in
                error as? UserStoreError ?? .sqlite(code: 0, message: String(describing: error))
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
    }

    /// Runs the queued jobs, closes the database (checkpointing the WAL) and joins the thread. Blocks.
    /// Callers must stop submitting first; later submissions are refused.
    func shutdown() {
        jobs.close()
        thread.join()
    }

    /// Runs a batch, writes inside one transaction; returns the jobs it could not run in that transaction.
    private static func runBatch(_ batch: ArraySlice<Job>, on store: UserStore) -> ArraySlice<Job> {
        guard batch.contains(where: { $0.access == .write }) else {
            for job in batch {
                job.run(store)(nil)
            }
            return []
        }
        do {
            try store.begin()
        } catch {
            for job in batch {
                job.run(store)(error)
            }
            return []
        }
        var deliveries: [@Sendable (UserStoreError?) -> Void] = []
        deliveries.reserveCapacity(batch.count)
        for (offset, job) in zip(batch.indices, batch) {
            deliveries.append(job.run(store))
            // A failed statement can make SQLite roll back everything (I/O error, disk full): what ran
            // so far is lost; the rest must not run in autocommit mode as if it were grouped.
            if !store.isInTransaction {
                let error = UserStoreError.sqlite(code: 0, message: "transaction rolled back by SQLite")
                deliveries.forEach { $0(error) }
                return batch[(offset + 1)...]
            }
        }
        do {
            try store.commit()
        } catch {
            store.rollback()
            deliveries.forEach { $0(error) }
            return []
        }
        deliveries.forEach { $0(nil) }
        return []
    }
}
