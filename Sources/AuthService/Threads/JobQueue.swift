import Synchronization

/// A FIFO of jobs shared by producer threads and the worker threads that drain it, optionally bounded.
/// Thread-safe. After `close()` nothing more is accepted, and workers get what is left, then `nil`.
final class JobQueue<Job: Sendable>: @unchecked Sendable {
    private let lock = ConditionLock()
    private let limit: Int
    // Guarded by `lock`. A head index instead of `removeFirst` keeps pops O(1).
    private var jobs: [Job] = []
    private var head = 0
    private var closed = false
    /// Set by a push that left the worker asleep (`wakingWorker: false`), until `wakeHeld()`.
    private let wakeHeldBack = Atomic<Bool>(false)

    /// A queue that refuses a job once `limit` jobs are waiting.
    init(limit: Int = .max) {
        self.limit = limit
    }

    /// Jobs waiting to be taken.
    var count: Int {
        lock.withLock { jobs.count - head }
    }

    /// Appends `job`; false when the queue is full or closed (the job was not taken). Without
    /// `wakingWorker`, a worker asleep stays so until `wakeHeld()`: a producer pushing a burst
    /// wakes it once, for the whole burst, instead of for the first job.
    func push(_ job: Job, wakingWorker: Bool = true) -> Bool {
        lock.withLock {
            guard !closed, jobs.count - head < limit else { return false }
            changeJobs { $0.append(job) }
            if wakingWorker {
                lock.signal()
            } else {
                wakeHeldBack.store(true, ordering: .relaxed)
            }
            return true
        }
    }

    /// Wakes a worker for the jobs pushed without waking it; costs one atomic load when there were none.
    func wakeHeld() {
        guard wakeHeldBack.load(ordering: .relaxed), wakeHeldBack.exchange(false, ordering: .relaxed) else { return }
        // Under the lock, like a push: a worker that saw no job is then surely waiting, and hears it.
        lock.withLock { lock.signal() }
    }

    /// Puts `returned` back at the front, in order; for a worker that took more than it could run.
    func pushFront(_ returned: some Collection<Job>) {
        guard !returned.isEmpty else { return }
        lock.withLock {
            changeJobs { [head] in $0.replaceSubrange(0..<head, with: returned) }
            head = 0
            lock.signal()
        }
    }

    /// Waits for at least one job and moves up to `maximum` of them into `batch` (emptied first);
    /// false once closed and empty. With `waitingAtMost`, returns with `batch` empty once that many
    /// milliseconds passed without any (a worker's chance to look after itself). When all the jobs
    /// fit, the arrays trade places: the caller's buffer takes the next jobs, so a worker reusing
    /// one `batch` allocates nothing per batch (a slice of the queue's own array made the next
    /// push copy it).
    func pop(into batch: inout [Job], upTo maximum: Int, waitingAtMost milliseconds: Int? = nil) -> Bool {
        batch.removeAll(keepingCapacity: true)
        return lock.withLock {
            while jobs.count == head && !closed {
                if let milliseconds {
                    if !lock.wait(milliseconds: milliseconds) && jobs.count == head && !closed { return true }
                } else {
                    lock.wait()
                }
            }
            guard jobs.count > head else { return false }
            if head == 0 && jobs.count <= maximum {
                swap(&batch, &jobs)
                return true
            }
            let end = min(jobs.count, head + maximum)
            batch.append(contentsOf: jobs[head..<end])
            head = end
            if head == jobs.count {
                changeJobs { $0.removeAll(keepingCapacity: true) }
                head = 0
            } else if head > 1024 && head * 2 > jobs.count {
                changeJobs { [head] in $0.removeFirst(head) }
                head = 0
            }
            return true
        }
    }

    /// Runs `change` on the jobs moved into a local and back (lock held). An access to the stored
    /// array spanning a change that may allocate or release would keep a runtime exclusivity check
    /// on every access to it, two per store operation (callgrind).
    @inline(__always)
    private func changeJobs(_ change: (inout [Job]) -> Void) {
        var pending: [Job] = []
        swap(&pending, &jobs)
        change(&pending)
        swap(&pending, &jobs)
    }

    /// Refuses further jobs and wakes every waiting worker.
    func close() {
        lock.withLock {
            closed = true
            lock.broadcast()
        }
    }
}
