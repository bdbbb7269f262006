import Testing

@testable import AuthService

/// The shared login limits' contract, run on every store that keeps them: the same answers as the
/// node's own `ThrottleTable` gives, counted in one place for all nodes.
@Suite struct SharedLoginLimitsContractTests {
    private let rules = SharedLimitRules(
        pairLimit: 3, pairWindow: 900_000, pairBackoff: 30_000, accountLimit: 4, accountWindow: 3_600_000,
        accountSlot: 900_000, pendingLease: 120_000)
    private let start: Int64 = 1_700_000_000_000

    private func attempt(
        _ pair: String = "v@b.c 192.0.2.1", account: String = "v@b.c", owner: Bool = false, at now: Int64
    )
        -> SharedLoginAttempt
    {
        SharedLoginAttempt(pair: pair, account: account, isOwner: owner, now: now)
    }

    @Test(arguments: SharedLimitsKind.allCases)
    func attemptsUnderWayCountFromAdmissionAndAWithdrawnOneFreesItsPlace(_ kind: SharedLimitsKind) async throws {
        try await kind.with { limits in
            for _ in 1...3 { #expect(try await limits.admit(attempt(at: start), rules) == .admitted) }
            // Full of attempts under way but not blocked: ask again, not refused.
            #expect(try await limits.admit(attempt(at: start), rules) == .busy)
            try await limits.end(attempt(at: start + 10), rules, .withdrawn)
            #expect(try await limits.admit(attempt(at: start + 20), rules) == .admitted)
        }
    }

    @Test(arguments: SharedLimitsKind.allCases)
    func failuresAtTheLimitBlockWithABackoffThatDoublesAtTheNextStrike(_ kind: SharedLimitsKind) async throws {
        try await kind.with { limits in
            for _ in 1...3 {
                #expect(try await limits.admit(attempt(at: start), rules) == .admitted)
                try await limits.end(attempt(at: start), rules, .failed)
            }
            #expect(
                try await limits.admit(attempt(at: start + 1), rules) == .refused(limit: .pair, retryAfterSeconds: 30))
            // Another client on the same account is not blocked by this pair.
            #expect(try await limits.admit(attempt("v@b.c 192.0.2.9", at: start + 1), rules) == .admitted)
            let later = start + 30_000
            #expect(try await limits.admit(attempt(at: later), rules) == .admitted)
            try await limits.end(attempt(at: later), rules, .failed)
            #expect(
                try await limits.admit(attempt(at: later + 1), rules) == .refused(limit: .pair, retryAfterSeconds: 60))
        }
    }

    @Test(arguments: SharedLimitsKind.allCases)
    func aSuccessForgivesThePairsFailures(_ kind: SharedLimitsKind) async throws {
        try await kind.with { limits in
            for _ in 1...2 {
                #expect(try await limits.admit(attempt(at: start), rules) == .admitted)
                try await limits.end(attempt(at: start), rules, .failed)
            }
            #expect(try await limits.admit(attempt(at: start), rules) == .admitted)
            try await limits.end(attempt(at: start), rules, .succeeded)
            for _ in 1...3 { #expect(try await limits.admit(attempt(at: start + 1), rules) == .admitted) }
        }
    }

    @Test(arguments: SharedLimitsKind.allCases)
    func aSlowedAccountLetsStrangersInOnePerSlotAndItsOwnerAlways(_ kind: SharedLimitsKind) async throws {
        try await kind.with { limits in
            // Four strangers, one guess each: the account's limit, no pair's.
            for index in 1...4 {
                let guess = attempt("v@b.c 203.0.113.\(index)", at: start)
                #expect(try await limits.admit(guess, rules) == .admitted)
                try await limits.end(guess, rules, .failed)
            }
            let fifth = attempt("v@b.c 203.0.113.5", at: start + 1)
            #expect(try await limits.admit(fifth, rules) == .admitted)  // the first slot
            try await limits.end(fifth, rules, .failed)
            let sixth = attempt("v@b.c 203.0.113.6", at: start + 2)
            #expect(try await limits.admit(sixth, rules) == .refused(limit: .account, retryAfterSeconds: 900))
            #expect(
                try await limits.admit(attempt("v@b.c 198.51.100.7", owner: true, at: start + 2), rules) == .admitted)
            #expect(try await limits.admit(attempt("v@b.c 203.0.113.6", at: start + 900_001), rules) == .admitted)
        }
    }

    @Test(arguments: SharedLimitsKind.allCases)
    func anAccountRefusalLeavesThePairUncounted(_ kind: SharedLimitsKind) async throws {
        try await kind.with { limits in
            for index in 1...4 {
                let guess = attempt("v@b.c 203.0.113.\(index)", at: start)
                #expect(try await limits.admit(guess, rules) == .admitted)
                try await limits.end(guess, rules, .failed)
            }
            #expect(try await limits.admit(attempt("v@b.c 203.0.113.9", at: start), rules) == .admitted)
            // Refused by the account three times: had the pair counted them, it would be full.
            for _ in 1...3 {
                #expect(
                    try await limits.admit(attempt("v@b.c 203.0.113.10", at: start + 1), rules)
                        == .refused(limit: .account, retryAfterSeconds: 900))
            }
            #expect(
                try await limits.admit(attempt("v@b.c 203.0.113.10", owner: true, at: start + 1), rules) == .admitted)
        }
    }

    @Test(arguments: SharedLimitsKind.allCases)
    func anAttemptNeverEndedStopsCountingWhenItsLeaseRunsOut(_ kind: SharedLimitsKind) async throws {
        try await kind.with { (limits: any SharedLoginLimits) async throws in
            for _ in 1...3 { #expect(try await limits.admit(attempt(at: start), rules) == .admitted) }
            #expect(try await limits.admit(attempt(at: start + 119_999), rules) != .admitted)
            #expect(try await limits.admit(attempt(at: start + 120_000), rules) == .admitted)
        }
    }

    @Test(arguments: SharedLimitsKind.allCases)
    func keysAreCountedApartAndALimitOfZeroIsOff(_ kind: SharedLimitsKind) async throws {
        try await kind.with { limits in
            let off = SharedLimitRules(
                pairLimit: 0, pairWindow: 900_000, pairBackoff: 30_000, accountLimit: 0, accountWindow: 3_600_000,
                accountSlot: 0, pendingLease: 120_000)
            for _ in 1...10 {
                #expect(try await limits.admit(attempt(at: start), off) == .admitted)
                try await limits.end(attempt(at: start), off, .failed)
            }
            for _ in 1...3 { #expect(try await limits.admit(attempt(at: start), rules) == .admitted) }
            #expect(try await limits.admit(attempt("w@b.c 192.0.2.1", account: "w@b.c", at: start), rules) == .admitted)
        }
    }
}

/// The stores that keep shared login limits.
enum SharedLimitsKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, postgresql

    var testDescription: String { rawValue }

    /// Runs `body` with fresh, empty limits of this kind.
    func with(_ body: (any SharedLoginLimits) async throws -> Void) async throws {
        switch self {
        case .memory:
            let store = InMemoryUserStore(sharingLoginLimits: true)
            defer { store.close() }
            try await body(try #require(store.sharedLoginLimits))
        case .postgresql:
            try await TemporaryPostgreSQL.with { database in
                let store = try PostgreSQLUserStore(location: database.url)
                defer { store.close() }
                try await body(try #require(store.sharedLoginLimits))
            }
        }
    }
}

extension SharedLoginLimits {
    func admit(_ attempt: SharedLoginAttempt, _ rules: SharedLimitRules) async throws -> SharedAdmission {
        try await withCheckedContinuation { done in admitLogin(attempt, rules: rules) { done.resume(returning: $0) } }
            .get()
    }

    func end(_ attempt: SharedLoginAttempt, _ rules: SharedLimitRules, _ outcome: SharedLoginOutcome) async throws {
        try await withCheckedContinuation { done in
            endLogin(attempt, rules: rules, outcome: outcome) { done.resume(returning: $0) }
        }.get()
    }
}
