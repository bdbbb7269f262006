import Glibc
import Synchronization

/// A fixed set of hash threads, each with its own PasswordHasher, fed by a `FairJobQueue`: clients
/// are served in turn, and a job whose client hung up before its turn is dropped unhashed.
/// Thread-safe: submit from any thread; jobs run on a hash thread, never on the submitter's.
final class HashPool: Sendable {
    /// One client's password task.
    struct Job: Sendable {
        /// The work; it gets the running thread's hasher.
        var run: @Sendable (PasswordHasher) -> Void
        /// Called instead of `run`, on a hash thread, when `connection` closed before the job's turn.
        var drop: @Sendable () -> Void
        /// The client's connection, dropping the job once closed; nil for a job that always runs.
        var connection: ClientConnection?
    }

    private let jobs: FairJobQueue<Job>
    private let threads: [WorkerThread]
    private let counts: Counts

    // A class because Atomic cannot be copied into the threads' closures.
    private final class Counts: Sendable {
        /// Threads running a job now.
        let busy = Atomic<Int>(0)
        /// Jobs dropped unrun because their client had hung up.
        let abandoned = Atomic<Int>(0)
    }

    /// Starts `threadCount` hash threads; at most `queueLimit` jobs wait for a free one, at most
    /// half of them from one client.
    init(threadCount: Int, queueLimit: Int) throws(WorkerThread.StartFailure) {
        let jobs = FairJobQueue<Job>(limit: queueLimit)
        let counts = Counts()
        var threads: [WorkerThread] = []
        do {
            for index in 0..<threadCount {
                threads.append(
                    try WorkerThread(name: "authd-hash-\(index)") { [counts] in
                        Self.yieldToServingThreads()
                        let hasher = PasswordHasher()
                        while let job = jobs.pop() {
                            // Checked as late as possible: the answer of a client gone is written nowhere.
                            if let connection = job.connection, connection.isAbandoned {
                                counts.abandoned.add(1, ordering: .relaxed)
                                job.drop()
                                continue
                            }
                            counts.busy.add(1, ordering: .relaxed)
                            job.run(hasher)
                            counts.busy.subtract(1, ordering: .relaxed)
                        }
                    })
            }
        } catch {
            jobs.close()
            for thread in threads { thread.join() }
            throw error
        }
        self.jobs = jobs
        self.threads = threads
        self.counts = counts
    }

    /// Lowers this thread's priority (on Linux, nice with `who` 0 is the calling thread's). With
    /// one hash thread per core, a login flood would otherwise take CPU from the reactor and the
    /// store, and every cheap request would wait behind bcrypt. Hashing still gets all the CPU nobody else wants.
    private static func yieldToServingThreads() {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
    }

    /// Queues `run` in the lane of `client` (a `ClientIdentity.throttleKey`); false when `queueLimit` jobs
    /// are already waiting, or half of them from `client`, or the pool is shut down. When
    /// `connection` closes before a thread takes the job, `dropped` is called instead of `run`.
    func submit(
        for client: String, connection: ClientConnection?, dropped: @escaping @Sendable () -> Void,
        _ run: @escaping @Sendable (PasswordHasher) -> Void
    ) -> Bool {
        jobs.push(Job(run: run, drop: dropped, connection: connection), client: client)
    }

    /// Jobs waiting for a thread.
    var waiting: Int { jobs.count }

    /// Threads hashing right now.
    var running: Int { counts.busy.load(ordering: .relaxed) }

    /// Jobs dropped unrun since start because their client had hung up.
    var abandoned: Int { counts.abandoned.load(ordering: .relaxed) }

    /// Number of hash threads.
    var threadCount: Int { threads.count }

    /// Runs (or drops) the queued jobs, then stops and joins every thread. Blocks.
    func shutdown() {
        jobs.close()
        for thread in threads { thread.join() }
    }
}
