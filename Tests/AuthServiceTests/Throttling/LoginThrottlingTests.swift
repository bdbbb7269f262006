import Synchronization
import Testing

@testable import AuthService

/// The login policy across its tables: pairs, clients, accounts, request budgets, waiting attempts.
@Suite struct LoginThrottlingTests {
    private let clock = ClockForTests()

    private func throttling(_ change: (inout ThrottleSettings) -> Void = { _ in }) -> LoginThrottling {
        var settings = ThrottleSettings()
        change(&settings)
        return LoginThrottling(settings, clock: clock.read)
    }

    private static func client(_ address: String) -> ClientIdentity { ClientIdentity(address: address) }

    /// Begins an attempt; its decision if one came at once (nil while it waits).
    private func begin(_ throttling: LoginThrottling, _ email: String, from client: ClientIdentity) -> Result<
        [LoginThrottling.EndedBlock], LoginThrottling.Refusal
    >? {
        let decision = Mutex<Result<[LoginThrottling.EndedBlock], LoginThrottling.Refusal>?>(nil)
        throttling.beginLogin(email: email, client: client) { result in decision.withLock { $0 = result } }
        return decision.withLock { $0 }
    }

    private func attempt(_ throttling: LoginThrottling, _ email: String, from client: ClientIdentity, failing: Bool)
        -> LoginThrottling.Refusal?
    {
        switch begin(throttling, email, from: client) {
        case .failure(let refusal)?: return refusal
        case .success?:
            throttling.endLogin(email: email, client: client, failed: failing, succeeded: !failing)
            return nil
        case nil:
            Issue.record("attempt left waiting")
            return nil
        }
    }

    @Test func theStrictLimitBlocksThePairNotTheOwnerElsewhere() {
        let throttling = throttling()
        let stranger = Self.client("192.0.2.66")
        let owner = Self.client("198.51.100.7")
        for _ in 1...5 { #expect(attempt(throttling, "v@b.c", from: stranger, failing: true) == nil) }
        let refused = attempt(throttling, "v@b.c", from: stranger, failing: false)
        #expect(refused?.reason == "email_failure_limit" && refused?.retryAfterSeconds == 30)
        #expect(attempt(throttling, "v@b.c", from: owner, failing: false) == nil)
    }

    @Test func aSlowedAccountLetsItsOwnerInAndStrangersOneAtATime() {
        let throttling = throttling {
            $0.accountFailureLimit = 10
            $0.accountWindow = Lifetime(seconds: 3600)
        }
        let owner = Self.client("198.51.100.7")
        #expect(attempt(throttling, "v@b.c", from: owner, failing: false) == nil)
        // Distributed guessing: each client stays under its own limits.
        for index in 0..<10 {
            #expect(attempt(throttling, "v@b.c", from: Self.client("203.0.113.\(index)"), failing: true) == nil)
        }
        // Slowed: one stranger's attempt per 360 s slot, the next is refused with the wait.
        #expect(attempt(throttling, "v@b.c", from: Self.client("203.0.113.50"), failing: true) == nil)
        let refused = attempt(throttling, "v@b.c", from: Self.client("203.0.113.51"), failing: true)
        #expect(refused?.reason == "account_failure_limit")
        #expect((300...360).contains(refused?.retryAfterSeconds ?? 0))
        // The owner, from the address it logged in from, is not slowed.
        #expect(attempt(throttling, "v@b.c", from: owner, failing: false) == nil)
        #expect(attempt(throttling, "v@b.c", from: owner, failing: false) == nil)
        clock.advance(seconds: 360)
        #expect(attempt(throttling, "v@b.c", from: Self.client("203.0.113.52"), failing: true) == nil)
    }

    @Test func anAttemptPastThePairsBudgetWaitsForThoseUnderWay() {
        let throttling = throttling()
        let client = Self.client("192.0.2.1")
        for _ in 1...5 { #expect(try! begin(throttling, "a@b.c", from: client)?.get() == []) }
        let admitted = Counter()
        for _ in 1...2 {
            throttling.beginLogin(email: "a@b.c", client: client) { result in
                if case .success = result { admitted.increment() }
            }
        }
        #expect(admitted.value == 0)
        // Each correct login that ends lets one waiting attempt go ahead.
        throttling.endLogin(email: "a@b.c", client: client, failed: false, succeeded: true)
        #expect(admitted.value == 1)
        throttling.endLogin(email: "a@b.c", client: client, failed: false, succeeded: true)
        #expect(admitted.value == 2)
    }

    @Test func waitingGuessesAreRefusedOnceThoseUnderWayReachTheLimit() {
        let throttling = throttling()
        let client = Self.client("192.0.2.1")
        for _ in 1...5 { _ = begin(throttling, "a@b.c", from: client) }
        let decided = Mutex<[Result<[LoginThrottling.EndedBlock], LoginThrottling.Refusal>]>([])
        for _ in 1...20 {
            throttling.beginLogin(email: "a@b.c", client: client) { result in decided.withLock { $0.append(result) } }
        }
        for _ in 1...5 { throttling.endLogin(email: "a@b.c", client: client, failed: true, succeeded: false) }
        let results = decided.withLock { $0 }
        #expect(results.count == 20)
        #expect(
            results.allSatisfy {
                if case .failure(let refusal) = $0 { refusal.reason == "email_failure_limit" } else { false }
            })
    }

    @Test func spellingsDifferingInCaseShareOneBudget() {
        let throttling = throttling()
        let attacker = Self.client("192.0.2.9")
        for spelling in ["Victim@b.c", "vIctim@b.c", "viCtim@b.c", "vicTim@b.c", "victIm@b.c"] {
            #expect(attempt(throttling, spelling, from: attacker, failing: true) == nil)
        }
        #expect(attempt(throttling, "VICTIM@b.c", from: attacker, failing: false)?.reason == "email_failure_limit")
    }

    @Test func refusedAttemptsEnterNoTable() {
        let throttling = throttling { $0.addressFailureLimit = 3 }
        let attacker = Self.client("192.0.2.9")
        for index in 0..<3 { #expect(attempt(throttling, "junk\(index)@b.c", from: attacker, failing: true) == nil) }
        let before = throttling.trackedKeys
        for index in 0..<1000 {
            #expect(
                attempt(throttling, "flood\(index)@b.c", from: attacker, failing: true)?.reason
                    == "address_failure_limit")
        }
        #expect(throttling.trackedKeys == before)
    }

    @Test func aFloodOfNewKeysCannotLiftABlock() {
        let throttling = throttling { $0.capacity = 64 }
        let attacker = Self.client("192.0.2.9")
        for _ in 1...5 { _ = attempt(throttling, "victim@b.c", from: attacker, failing: true) }
        for index in 0..<500 {
            _ = attempt(throttling, "other\(index)@b.c", from: Self.client("203.0.113.\(index % 250)"), failing: true)
        }
        #expect(attempt(throttling, "victim@b.c", from: attacker, failing: false)?.reason == "email_failure_limit")
    }

    @Test func aTableFullOfBlockedClientsStillAdmitsClientsWithoutAnEntry() {
        let throttling = throttling {
            $0.addressRequestLimit = 1
            $0.addressFailureLimit = 1
            $0.capacity = 4
        }
        for index in 1...4 {
            #expect((try? throttling.admitRequest(client: Self.client("192.0.2.\(index)")).get()) != nil)
        }
        for index in 1...4 {
            #expect(attempt(throttling, "u@b.c", from: Self.client("192.0.2.\(index)"), failing: true) == nil)
        }
        // Every key blocked: a new client is still admitted, once for its /24 (rotating addresses
        // within it gains nothing), and another network's client too.
        #expect((try? throttling.admitRequest(client: Self.client("198.51.100.7")).get()) != nil)
        #expect(attempt(throttling, "v@b.c", from: Self.client("198.51.100.7"), failing: true) == nil)
        guard case .failure(let refusal) = throttling.admitRequest(client: Self.client("198.51.100.8")) else {
            Issue.record("a neighbour of a blocked block admitted")
            return
        }
        #expect(refusal.reason == "address_request_limit")
        #expect(
            attempt(throttling, "w@b.c", from: Self.client("198.51.100.9"), failing: true)?.reason
                == "address_failure_limit")
        let v6 = ClientIdentity(address: "2001:db8:1:2::5", throttleKey: "2001:db8:1:2::/64")
        #expect((try? throttling.admitRequest(client: v6).get()) != nil)
        #expect(attempt(throttling, "x@b.c", from: v6, failing: false) == nil)
        #expect((try? throttling.admitRequest(client: Self.client("203.0.113.1")).get()) != nil)
    }

    @Test func roomInAFullTableIsFoundWithoutScanningIt() {
        let throttling = throttling { $0.addressRequestLimit = 1 }
        let capacity = ThrottleSettings().capacity
        func admit(_ range: Range<Int>, first: Int) -> (admitted: Int, seconds: Double) {
            let started = ContinuousClock.now
            var admitted = 0
            for index in range {
                let address = "\(first).\(index / 256 % 256).\(index % 256).1"
                if case .success = throttling.admitRequest(client: Self.client(address)) { admitted += 1 }
            }
            let elapsed = ContinuousClock.now - started
            return (admitted, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let fill = admit(0..<capacity, first: 10)
        #expect(fill.admitted == capacity)
        // 2 000 new clients against a table of 65 536 blocked keys: as cheap per client as filling
        // it was (a scan per client took about 30 000 times longer), and every one admitted.
        let more = admit(0..<2000, first: 11)
        #expect(more.admitted == 2000)
        #expect(more.seconds / 2000 < 20 * fill.seconds / Double(capacity), "\(more.seconds) s vs \(fill.seconds) s")
    }

    @Test func exemptClientsMeetThePerEmailLimitOnly() {
        let throttling = throttling {
            $0.addressFailureLimit = 2
            $0.addressRequestLimit = 2
        }
        let harness = ClientIdentity(address: "127.0.0.1", isExemptFromClientLimits: true)
        for index in 0..<10 { #expect(attempt(throttling, "u\(index)@b.c", from: harness, failing: true) == nil) }
        for _ in 0..<10 { #expect((try? throttling.admitRequest(client: harness).get()) != nil) }
        for _ in 1...5 { _ = attempt(throttling, "same@b.c", from: harness, failing: true) }
        #expect(attempt(throttling, "same@b.c", from: harness, failing: false)?.reason == "email_failure_limit")
    }

    @Test func onlyTheFirstRefusalOfABlockIsAuditedAndTheNextAdmissionCountsThem() {
        let throttling = throttling()
        let client = Self.client("192.0.2.1")
        for _ in 1...5 { _ = attempt(throttling, "a@b.c", from: client, failing: true) }
        let refusals = (1...7).compactMap { _ in attempt(throttling, "a@b.c", from: client, failing: false) }
        #expect(refusals.map(\.audited) == [true, false, false, false, false, false, false])
        clock.advance(seconds: 30)
        let admitted = try? begin(throttling, "a@b.c", from: client)?.get()
        #expect(admitted == [LoginThrottling.EndedBlock(reason: "email_failure_limit", refusals: 7)])
    }
}
