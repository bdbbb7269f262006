import Glibc
import Synchronization

/// A fixed set of hash threads, each with its own PasswordHasher, fed by a bounded FIFO.
/// Thread-safe: submit from any thread; jobs run on a hash thread, never on the submitter's.
final class HashPool: Sendable {
    /// One hashing task; it gets the running thread's hasher.
    typealias Job = @Sendable (PasswordHasher) -> Void

    private let jobs: JobQueue<Job>
    private let threads: [WorkerThread]
    private let busy: BusyCount

    // A class because Atomic cannot be copied into the threads' closures.
    private final class BusyCount: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Starts `threadCount` hash threads; at most `queueLimit` jobs wait for a free one.
    init(threadCount: Int, queueLimit: Int) throws(WorkerThread.StartFailure) {
        let jobs = JobQueue<Job>(limit: queueLimit)
        let busy = BusyCount()
        var threads: [WorkerThread] = []
        do {
            for index in 0..<threadCount {
                threads.append(try WorkerThread(name: "authd-hash-\(index)") { [busy] in
                    Self.yieldToServingThreads()
                    let hasher = PasswordHasher()
                    while let taken = jobs.pop(upTo: 1) {
                        busy.value.add(1, ordering: .relaxed)
                        taken.forEach { $0(hasher) }
                        busy.value.subtract(1, ordering: .relaxed)
                    }
                })
            }
        } catch {
            jobs.close()
            threads.forEach { $0.join() }
            throw error
        }
        self.jobs = jobs
        self.threads = threads
        self.busy = busy
    }

    /// Lowers this thread's priority (on Linux, nice with `who` 0 is the calling thread's). With
    /// one hash thread per core, a login flood would otherwise take CPU from the reactor and the
    /// store, and every cheap request would wait behind bcrypt. Hashing still gets all the CPU nobody else wants.
    private static func yieldToServingThreads() {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
    }

    /// Queues `job`; false when `queueLimit` jobs are already waiting or the pool is shut down.
    func submit(_ job: @escaping Job) -> Bool {
        jobs.push(job)
    }

    /// Jobs waiting for a thread.
    var waiting: Int { jobs.count }

    /// Threads hashing right now.
    var running: Int { busy.value.load(ordering: .relaxed) }

    /// Number of hash threads.
    var threadCount: Int { threads.count }

    /// Runs the queued jobs, then stops and joins every thread. Blocks.
    func shutdown() {
        jobs.close()
        threads.forEach { $0.join() }
    }
}
