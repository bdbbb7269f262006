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
            let key = table.place("key-\(index)", wider: { [] }, now: now)
            #expect(key == "key-\(index)")
            fail(&table, key)
        }
        #expect(table.trackedKeys <= 8)
        #expect(table.verdict("victim", now: now) != .allowed)
        // The most recent key survived eviction.
        fail(&table, "key-24", times: 4)
        #expect(table.verdict("key-24", now: now) == .blocked(30))
    }

    @Test func aTableFullOfBlockedKeysTakesANewClientUnderItsWiderBlock() {
        var table = table(limit: 1, capacity: 4)
        for index in 1...4 { fail(&table, table.place("192.0.2.\(index)", wider: { [] }, now: now)) }
        let first = table.place("198.51.100.7", wider: { WiderKeys.of("198.51.100.7") }, now: now)
        #expect(first == "198.51.100.0/24")
        fail(&table, first)
        // Its neighbours share that block now; another network gets one of its own.
        #expect(table.place("198.51.100.8", wider: { WiderKeys.of("198.51.100.8") }, now: now) == first)
        #expect(table.verdict(first, now: now) == .blocked(30))
        let other = table.place("203.0.113.5", wider: { WiderKeys.of("203.0.113.5") }, now: now)
        #expect(other == "203.0.113.0/24" && table.verdict(other, now: now) == .allowed)
        #expect(table.held("198.51.100.9", wider: { WiderKeys.of("198.51.100.9") }) == first)
        #expect(table.trackedKeys <= 4)
    }

    @Test func aTableFullOfWiderBlocksWidensFurther() {
        var table = table(limit: 1, capacity: 2)
        for index in 1...2 { fail(&table, table.place("192.0.2.\(index)", wider: { [] }, now: now)) }
        for network in ["2001:db8:0:100::/64", "2001:db8:0:200::/64"] {
            fail(&table, table.place(network, wider: { WiderKeys.of(network) }, now: now))
        }
        // Both places hold /56 blocks, both blocked: the next forgets one and counts under the /48.
        let key = "2001:db8:0:300::/64"
        #expect(table.place(key, wider: { WiderKeys.of(key) }, now: now) == "2001:db8::/48")
    }

    @Test func widerKeysAreTheClientsBlocks() {
        #expect(WiderKeys.of("192.0.2.77") == ["192.0.2.0/24", "192.0.0.0/16"])
        #expect(WiderKeys.of("2001:db8:aa:bbcc::/64") == ["2001:db8:aa:bb00::/56", "2001:db8:aa::/48"])
        #expect(WiderKeys.of("").isEmpty)
        #expect(WiderKeys.of("a@b.c").isEmpty)
    }
}
