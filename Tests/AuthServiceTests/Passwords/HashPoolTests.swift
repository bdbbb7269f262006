import Dispatch
import Glibc
import Testing
@testable import AuthService

@Suite struct HashPoolTests {
    @Test func refusesJobsBeyondTheQueueLimit() throws {
        let pool = try HashPool(threadCount: 1, queueLimit: 2)
        defer { pool.shutdown() }
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        #expect(pool.submit { _ in
            started.signal()
            release.wait()
        })
        started.wait()
        #expect(pool.running == 1)
        #expect(pool.submit { _ in })
        #expect(pool.submit { _ in })
        #expect(pool.waiting == 2)
        #expect(!pool.submit { _ in })
        release.signal()
    }

    @Test func runsJobsOffTheSubmittingThreadAndFinishesThemAtShutdown() throws {
        let pool = try HashPool(threadCount: 2, queueLimit: 64)
        let finished = Counter()
        let submitter = pthread_self()
        let onSubmitter = Counter()
        for _ in 0..<20 {
            #expect(pool.submit { hasher in
                if pthread_equal(pthread_self(), submitter) != 0 { onSubmitter.increment() }
                if hasher.verify(TestVectors.password, against: TestVectors.hash2b) { finished.increment() }
            })
        }
        pool.shutdown()
        #expect(finished.value == 20)
        #expect(onSubmitter.value == 0)
        #expect(!pool.submit { _ in })
    }
}
