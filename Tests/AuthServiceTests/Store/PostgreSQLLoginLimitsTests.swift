import Testing

@testable import AuthService

/// The shared limits on PostgreSQL under contention: two stores on one database are two nodes, and
/// however their admissions interleave, a key admits no more than its limit.
@Suite struct PostgreSQLLoginLimitsTests {
    private let rules = SharedLimitRules(
        pairLimit: 3, pairWindow: 900_000, pairBackoff: 30_000, accountLimit: 4, accountWindow: 3_600_000,
        accountSlot: 900_000, pendingLease: 120_000)
    private let now: Int64 = 1_700_000_000_000

    private func admitted(_ attempts: [SharedLoginAttempt], over nodes: [any SharedLoginLimits]) async throws -> Int {
        try await withThrowingTaskGroup(of: SharedAdmission.self) { group in
            for (index, attempt) in attempts.enumerated() {
                let node = nodes[index % nodes.count]
                group.addTask { try await node.admit(attempt, rules) }
            }
            var count = 0
            for try await admission in group where admission == .admitted { count += 1 }
            return count
        }
    }

    private func withTwoNodes(_ body: ([any SharedLoginLimits]) async throws -> Void) async throws {
        try await StoreKind.postgresql.withTwoStoresOnOneDatabase { first, second in
            try await body([try #require(first.sharedLoginLimits), try #require(second.sharedLoginLimits)])
        }
    }

    @Test func fortyGuessesOnOnePairOverTwoNodesAdmitThree() async throws {
        try await withTwoNodes { (nodes: [any SharedLoginLimits]) async throws in
            let guesses = Array(
                repeating: SharedLoginAttempt(pair: "v@b.c 192.0.2.1", account: "v@b.c", isOwner: false, now: now),
                count: 40)
            #expect(try await admitted(guesses, over: nodes) == 3)
        }
    }

    @Test func fortyStrangersOnOneAccountOverTwoNodesAdmitItsLimitAndOneSlot() async throws {
        try await withTwoNodes { (nodes: [any SharedLoginLimits]) async throws in
            let strangers = (0..<40).map {
                SharedLoginAttempt(pair: "v@b.c 203.0.113.\($0)", account: "v@b.c", isOwner: false, now: now)
            }
            #expect(try await admitted(strangers, over: nodes) == 5)
            let owner = SharedLoginAttempt(pair: "v@b.c 198.51.100.7", account: "v@b.c", isOwner: true, now: now)
            #expect(try await nodes[1].admit(owner, rules) == .admitted)
        }
    }
}
