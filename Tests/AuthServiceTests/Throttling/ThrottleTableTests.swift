import Testing

@testable import AuthService

/// One brute-force table, with a clock the test moves.
@Suite struct ThrottleTableTests {
    private let clock = ClockForTests()
    private var now: Int64 { clock.read() }

    private func table(limit: Int = 5, capacity: Int = 100) -> ThrottleTable {
        ThrottleTable(limit: limit, window: Lifetime(seconds: 900), backoff: Lifetime(seconds: 30), capacity: capacity)
    }

    /// Attempts that are admitted and fail.
    private func fail(_ table: inout ThrottleTable, _ key: String, times: Int = 1) {
        for _ in 0..<times {
            #expect(table.verdict(key, now: now) == .allowed)
            _ = table.begin(key, now: now)
            table.end(key, failed: true, now: now)
        }
    }

    @Test func fifthFailureWithinTheWindowBlocksTheKey() {
        var table = table()
        fail(&table, "a@b.c", times: 4)
        #expect(table.verdict("a@b.c", now: now) == .allowed)
        fail(&table, "a@b.c")
        #expect(table.verdict("a@b.c", now: now) == .blocked(30))
        #expect(table.verdict("other@b.c", now: now) == .allowed)
    }

    @Test func attemptsUnderWayCountAgainstTheLimitFromTheStart() {
        var table = table()
        for _ in 1...5 { _ = table.begin("k", now: now) }
        // Five guesses in flight on a fresh key: a sixth must wait for their outcome.
        #expect(table.verdict("k", now: now) == .busy)
        table.end("k", failed: false, now: now)
        #expect(table.verdict("k", now: now) == .allowed)
    }

    @Test func howeverTimedAKeyGetsAtMostItsLimitOfFailures() {
        var table = table()
        var checked = 0
        // Waves of concurrent guesses: each admitted while the verdict allows, then all fail.
        for _ in 0..<10 {
            var admitted = 0
            while table.verdict("k", now: now) == .allowed {
                _ = table.begin("k", now: now)
                admitted += 1
            }
            for _ in 0..<admitted { table.end("k", failed: true, now: now) }
            checked += admitted
        }
        #expect(checked == 5)
    }

    @Test func blockEndsAndGrowsWithEachNewStrike() {
        var table = table()
        fail(&table, "k", times: 5)
        clock.advance(seconds: 29)
        #expect(table.verdict("k", now: now) == .blocked(1))
        clock.advance(seconds: 1)
        fail(&table, "k")
        #expect(table.verdict("k", now: now) == .blocked(60))
        clock.advance(seconds: 60)
        fail(&table, "k")
        #expect(table.verdict("k", now: now) == .blocked(120))
    }

    @Test func blockNeverOutlastsTheWindow() {
        var table = table()
        fail(&table, "k", times: 5)
        for _ in 1...10 {
            clock.advance(seconds: 900)
            fail(&table, "k")
            guard case .blocked(let wait) = table.verdict("k", now: now) else { continue }
            #expect(wait <= 900)
        }
    }

    @Test func failuresOutsideTheWindowAreForgotten() {
        var table = table()
        fail(&table, "k", times: 4)
        clock.advance(seconds: 900)
        fail(&table, "k")
        #expect(table.verdict("k", now: now) == .allowed)
    }

    @Test func resetClearsTheCount() {
        var table = table()
        fail(&table, "k", times: 4)
        table.reset("k")
        fail(&table, "k")
        #expect(table.verdict("k", now: now) == .allowed)
    }

    @Test func admitLetsTheLimitThroughThenRefuses() {
        var table = table(limit: 3)
        let admitted = (1...3).map { _ in table.admit("10.0.0.1", now: now) }
        let fourth = table.admit("10.0.0.1", now: now)
        let other = table.admit("10.0.0.2", now: now)
        #expect(admitted == [0, 0, 0] && fourth == nil && other == 0)
    }

    @Test func limitZeroNeverRefusesAndTracksNothing() {
        var table = table(limit: 0)
        for _ in 1...100 {
            let admitted = table.admit("k", now: now)
            #expect(admitted == 0)
            #expect(table.verdict("k", now: now) == .allowed)
            _ = table.begin("k", now: now)
            table.end("k", failed: true, now: now)
        }
        #expect(table.trackedKeys == 0)
    }

    @Test func refusalsAreCountedOncePerBlockAndReportedWhenTheNextAttemptIsAdmitted() {
        var table = table()
        fail(&table, "k", times: 5)
        let first = table.noteRefusal("k")
        let later = (1...9).map { _ in table.noteRefusal("k") }
        #expect(first && later.allSatisfy { !$0 })
        clock.advance(seconds: 30)
        let reported = table.begin("k", now: now)
        let again = table.begin("k", now: now)
        #expect(reported == 10 && again == 0)
    }

    @Test func tableStaysWithinItsCapacityAndNeverDropsABlockedKey() {
        var table = table(capacity: 8)
        fail(&table, "victim", times: 5)
        // Within the victim's 30 s block.
        for index in 0..<25 {
            clock.advance(seconds: 1)
            guard table.hasRoom(for: "key-\(index)", now: now) else { continue }
            fail(&table, "key-\(index)")
        }
        #expect(table.trackedKeys <= 8)
        #expect(table.verdict("victim", now: now) != .allowed)
        // The most recent key survived eviction.
        fail(&table, "key-24", times: 4)
        #expect(table.verdict("key-24", now: now) == .blocked(30))
    }

    @Test func aTableFullOfBlockedKeysRefusesNewKeysRatherThanForgetting() {
        var table = table(limit: 1, capacity: 4)
        for index in 0..<4 { fail(&table, "k\(index)") }
        #expect(!table.hasRoom(for: "new", now: now))
        #expect(table.hasRoom(for: "k0", now: now))
        clock.advance(seconds: 900)
        #expect(table.hasRoom(for: "new", now: now))
    }
}
