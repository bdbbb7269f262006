import Testing

@testable import AuthService

/// `SessionTouches`: one last-use write per session and step, however many lookups read the
/// stale value before it commits.
@Suite struct SessionTouchesTests {
    @Test func aSessionIsWrittenOncePerStepAndEachSessionOnItsOwn() {
        let touches = SessionTouches(step: 1000)
        let busy = SessionHandle(rawValue: 7)
        let other = SessionHandle(rawValue: -7)
        #expect(touches.claim(busy, now: 10_000))
        // The lookups that read the same stale value before the write commits send nothing.
        for now in Int64(10_000)..<11_000 { #expect(!touches.claim(busy, now: now)) }
        #expect(touches.claim(other, now: 10_500))
        #expect(touches.claim(busy, now: 11_000))
        #expect(!touches.claim(other, now: 11_499))
        #expect(touches.claim(other, now: 11_500))
    }

    @Test func itRemembersABoundedNumberOfSessions() {
        let touches = SessionTouches(step: 1000)
        for raw in 0..<Int64(SessionTouches.capacity) { #expect(touches.claim(SessionHandle(rawValue: raw), now: 0)) }
        #expect(touches.count == SessionTouches.capacity)
        // Past the bound, those written more than a step ago are forgotten.
        #expect(touches.claim(SessionHandle(rawValue: -1), now: 5000))
        #expect(touches.count == 1)
        #expect(!touches.claim(SessionHandle(rawValue: -1), now: 5001))
    }
}
