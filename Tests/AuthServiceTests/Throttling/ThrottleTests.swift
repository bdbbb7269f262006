import Testing
@testable import AuthService

/// The brute-force throttle, with a clock the test moves.
@Suite struct ThrottleTests {
    private let clock = ClockForTests()

    private func throttle(limit: Int = 5, capacity: Int = 100) -> Throttle {
        Throttle(limit: limit, window: Lifetime(seconds: 900), backoff: Lifetime(seconds: 30), capacity: capacity, clock: clock.read)
    }

    /// One attempt that fails.
    private func fail(_ throttle: Throttle, _ key: String, times: Int = 1) {
        for _ in 0..<times {
            #expect(throttle.begin(key) == nil)
            throttle.end(key, failed: true)
        }
    }

    /// The seconds `key` must wait now, or nil when an attempt may start (that probe attempt is ended at once).
    private func wait(_ throttle: Throttle, _ key: String) -> Int? {
        guard let seconds = throttle.begin(key) else {
            throttle.end(key, failed: false)
            return nil
        }
        return seconds
    }

    @Test func fifthFailureWithinTheWindowBlocksTheKey() {
        let throttle = throttle()
        fail(throttle, "a@b.c", times: 4)
        #expect(wait(throttle, "a@b.c") == nil)
        fail(throttle, "a@b.c")
        #expect(wait(throttle, "a@b.c") == 30)
        #expect(wait(throttle, "other@b.c") == nil)
    }

    @Test func afterAFailureAttemptsUnderWayCountAgainstTheLimit() {
        let throttle = throttle()
        fail(throttle, "k")
        for _ in 1...4 { #expect(throttle.begin("k") == nil) }
        // One failure and four guesses in flight: a fifth must wait for their outcome.
        #expect(throttle.begin("k") == 1)
        for _ in 1...4 { throttle.end("k", failed: false) }
        #expect(wait(throttle, "k") == nil)
    }

    @Test func concurrentAttemptsOnAKeyWithoutFailuresAreNotCapped() {
        let throttle = throttle()
        for _ in 1...50 { #expect(throttle.begin("k") == nil) }
        for _ in 1...50 { throttle.end("k", failed: false) }
    }

    @Test func blockEndsAndGrowsWithEachNewStrike() {
        let throttle = throttle()
        fail(throttle, "k", times: 5)
        clock.advance(seconds: 29)
        #expect(wait(throttle, "k") == 1)
        clock.advance(seconds: 1)
        fail(throttle, "k")
        #expect(wait(throttle, "k") == 60)
        clock.advance(seconds: 60)
        fail(throttle, "k")
        #expect(wait(throttle, "k") == 120)
    }

    @Test func blockNeverOutlastsTheWindow() {
        let throttle = throttle()
        fail(throttle, "k", times: 5)
        for _ in 1...10 {
            clock.advance(seconds: 900)
            fail(throttle, "k")
            #expect((wait(throttle, "k") ?? 0) <= 900)
        }
    }

    @Test func failuresOutsideTheWindowAreForgotten() {
        let throttle = throttle()
        fail(throttle, "k", times: 4)
        clock.advance(seconds: 900)
        fail(throttle, "k")
        #expect(wait(throttle, "k") == nil)
    }

    @Test func resetClearsTheCount() {
        let throttle = throttle()
        fail(throttle, "k", times: 4)
        throttle.reset("k")
        fail(throttle, "k")
        #expect(wait(throttle, "k") == nil)
    }

    @Test func admitLetsTheLimitThroughThenRefuses() {
        let throttle = throttle(limit: 3)
        #expect((1...3).map { _ in throttle.admit("10.0.0.1") } == [nil, nil, nil])
        #expect(throttle.admit("10.0.0.1") == 30)
        #expect(throttle.admit("10.0.0.2") == nil)
    }

    @Test func limitZeroNeverRefuses() {
        let throttle = throttle(limit: 0)
        for _ in 1...100 {
            #expect(throttle.admit("k") == nil)
            #expect(throttle.begin("k") == nil)
            throttle.end("k", failed: true)
        }
        #expect(throttle.trackedKeys == 0)
    }

    @Test func tableStaysWithinItsCapacity() {
        let throttle = throttle(capacity: 8)
        for index in 0..<100 {
            clock.advance(seconds: 1)
            fail(throttle, "key-\(index)")
        }
        #expect(throttle.trackedKeys <= 8)
        // The most recent key survived eviction.
        fail(throttle, "key-99", times: 4)
        #expect(wait(throttle, "key-99") == 30)
    }
}
