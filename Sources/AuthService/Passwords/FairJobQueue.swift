/// The hash pool's queue: one FIFO per client, served in turn (round-robin over the clients with
/// jobs waiting), so one client's hundred logins delay another's by one job, not a hundred.
/// Bounded twice: at most `limit` jobs wait in all, and one client at most half of them, so that
/// one client cannot fill the queue and have every other client refused while its burst waits.
/// Half, not less: a burst of a few hundred logins from one address (a NAT, a proxy not declared
/// trusted) must still wait rather than fail, as the design card asks of the default 1 024.
/// Thread-safe. After `close()` nothing more is accepted, and workers get what is left (still in
/// turn), then `nil`.
final class FairJobQueue<Job: Sendable>: @unchecked Sendable {
    private let lock = ConditionLock()
    private let limit: Int
    private let limitPerClient: Int
    // Guarded by `lock`. A client has a lane while it has jobs waiting, and is then in `turns` once.
    private var lanes: [String: FIFO<Job>] = [:]
    private var turns = FIFO<String>()
    private var waiting = 0
    private var closed = false

    /// A queue that refuses a job once `limit` jobs are waiting, or half of `limit` (rounded up)
    /// from the job's client.
    init(limit: Int) {
        self.limit = limit
        limitPerClient = limit - limit / 2
    }

    /// Jobs waiting to be taken.
    var count: Int {
        lock.withLock { waiting }
    }

    /// Appends `job` to `client`'s lane; false when the queue or the client's share of it is full,
    /// or the queue is closed (the job was not taken).
    func push(_ job: Job, client: String) -> Bool {
        lock.withLock {
            let queued = lanes[client]?.count ?? 0
            guard !closed, waiting < limit, queued < limitPerClient else { return false }
            // A client with nothing waiting takes its turn after those already waiting.
            if queued == 0 { turns.append(client) }
            lanes[client, default: FIFO()].append(job)
            waiting += 1
            lock.signal()
            return true
        }
    }

    /// Waits for a job and takes the oldest of the client whose turn it is; nil once closed and empty.
    func pop() -> Job? {
        lock.withLock {
            while waiting == 0 && !closed {
                lock.wait()
            }
            guard let client = turns.popFirst() else { return nil }
            let job = lanes[client]!.popFirst()!
            if lanes[client]!.isEmpty {
                lanes[client] = nil
            } else {
                turns.append(client)
            }
            waiting -= 1
            return job
        }
    }

    /// Refuses further jobs and wakes every waiting worker.
    func close() {
        lock.withLock {
            closed = true
            lock.broadcast()
        }
    }
}

/// An array with a moving head, for O(1) `popFirst`. A taken slot is cleared at once: a hash job
/// holds a password, which must not linger in memory until the array is compacted.
private struct FIFO<Element> {
    private var slots: [Element?] = []
    private var head = 0

    init() {}

    var isEmpty: Bool { head == slots.count }
    var count: Int { slots.count - head }

    mutating func append(_ element: Element) {
        slots.append(element)
    }

    mutating func popFirst() -> Element? {
        guard head < slots.count else { return nil }
        let element = slots[head]
        slots[head] = nil
        head += 1
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= slots.count {
            slots.removeFirst(head)
            head = 0
        }
        return element
    }
}
