import Dispatch
import Glibc
import Synchronization
import Testing

@testable import AuthService

@Suite struct HashPoolTests {
    /// Submits `run` for `client`, counting a drop in `dropped`.
    private static func submit(
        _ pool: HashPool, _ client: String = "192.0.2.1", connection: ClientConnection? = nil,
        dropped: Counter = Counter(), _ run: @escaping @Sendable (PasswordHasher) -> Void = { _ in }
    ) -> Bool {
        pool.submit(for: client, connection: connection, dropped: { dropped.increment() }, run)
    }

    /// Occupies the pool's one thread until `release` is signalled; returns once it runs.
    private static func occupy(_ pool: HashPool, until release: DispatchSemaphore) {
        let started = DispatchSemaphore(value: 0)
        #expect(
            submit(pool, "blocker") { _ in
                started.signal()
                release.wait()
            })
        started.wait()
    }

    @Test func refusesJobsBeyondTheQueueLimit() throws {
        let pool = try HashPool(threadCount: 1, queueLimit: 4)
        defer { pool.shutdown() }
        let release = DispatchSemaphore(value: 0)
        Self.occupy(pool, until: release)
        #expect(pool.running == 1)
        #expect(Self.submit(pool, "a"))
        #expect(Self.submit(pool, "a"))
        #expect(!Self.submit(pool, "a"), "one client gets half of the queue")
        #expect(Self.submit(pool, "b"))
        #expect(Self.submit(pool, "c"))
        #expect(pool.waiting == 4)
        #expect(!Self.submit(pool, "d"), "the queue is full")
        release.signal()
    }

    @Test func runsJobsOffTheSubmittingThreadAndFinishesThemAtShutdown() throws {
        let pool = try HashPool(threadCount: 2, queueLimit: 64)
        let finished = Counter()
        let submitter = pthread_self()
        let onSubmitter = Counter()
        for index in 0..<20 {
            #expect(
                Self.submit(pool, "client-\(index % 3)") { hasher in
                    if pthread_equal(pthread_self(), submitter) != 0 { onSubmitter.increment() }
                    if hasher.verify(TestVectors.password, against: TestVectors.hash2b) { finished.increment() }
                })
        }
        pool.shutdown()
        #expect(finished.value == 20)
        #expect(onSubmitter.value == 0)
        #expect(!Self.submit(pool))
    }

    @Test func waitingClientsAreServedInTurn() throws {
        let pool = try HashPool(threadCount: 1, queueLimit: 64)
        let release = DispatchSemaphore(value: 0)
        Self.occupy(pool, until: release)
        let order = Mutex<[String]>([])
        for job in ["a1", "a2", "a3", "a4", "b1", "c1", "b2"] {
            #expect(Self.submit(pool, String(job.prefix(1))) { _ in order.withLock { $0.append(job) } })
        }
        release.signal()
        pool.shutdown()
        #expect(order.withLock { $0 } == ["a1", "b1", "c1", "a2", "b2", "a3", "a4"])
    }

    @Test func aJobWhoseClientHungUpIsDroppedUnrunAndReportedOnce() throws {
        let pool = try HashPool(threadCount: 1, queueLimit: 64)
        let release = DispatchSemaphore(value: 0)
        Self.occupy(pool, until: release)
        let gone = ClientConnection()
        let stays = ClientConnection()
        let ran = Counter()
        let dropped = Counter()
        let keptRan = Counter()
        let keptDropped = Counter()
        for _ in 0..<3 {
            #expect(Self.submit(pool, "gone", connection: gone, dropped: dropped) { _ in ran.increment() })
        }
        #expect(Self.submit(pool, "stays", connection: stays, dropped: keptDropped) { _ in keptRan.increment() })
        gone.abandon()
        release.signal()
        pool.shutdown()
        #expect(ran.value == 0)
        #expect(dropped.value == 3)
        #expect(keptRan.value == 1 && keptDropped.value == 0)
        #expect(pool.abandoned == 3)
    }

    @Test func aJobAlreadyRunningWhenItsClientHangsUpFinishes() throws {
        let pool = try HashPool(threadCount: 1, queueLimit: 64)
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let gone = ClientConnection()
        let finished = Counter()
        let dropped = Counter()
        #expect(
            Self.submit(pool, "gone", connection: gone, dropped: dropped) { _ in
                started.signal()
                release.wait()
                finished.increment()
            })
        started.wait()
        gone.abandon()
        release.signal()
        pool.shutdown()
        #expect(finished.value == 1 && dropped.value == 0 && pool.abandoned == 0)
    }
}
