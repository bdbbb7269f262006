import Testing

@testable import AuthService

@Suite struct StoredHashCostsTests {
    @Test func theAssumedCostHoldsUntilACostIsNoted() throws {
        let costs = try StoredHashCosts(assuming: 10)
        #expect(costs.typicalCost == 10)
        #expect(costs.dummySetting.hasPrefix("$2b$10$"))
    }

    @Test func theMostCommonRecentCostWins() throws {
        let costs = try StoredHashCosts(assuming: 4, window: 8)
        costs.note(12)
        #expect(costs.typicalCost == 12 && costs.dummySetting.hasPrefix("$2b$12$"))
        costs.note(10)
        // A tie keeps the current cost.
        #expect(costs.typicalCost == 12)
        costs.note(10)
        #expect(costs.typicalCost == 10 && costs.dummySetting.hasPrefix("$2b$10$"))
    }

    @Test func costsOlderThanTheWindowNoLongerCount() throws {
        let costs = try StoredHashCosts(assuming: 4, window: 4)
        for _ in 0..<3 { costs.note(12) }
        costs.note(10)
        #expect(costs.typicalCost == 12)
        // Users rehashed to 10 log in again: the 12s leave the window one by one.
        for _ in 0..<3 { costs.note(10) }
        #expect(costs.typicalCost == 10)
    }

    @Test func costsBcryptDoesNotKnowAreIgnored() throws {
        let costs = try StoredHashCosts(assuming: 6)
        costs.note(3)
        costs.note(32)
        #expect(costs.typicalCost == 6)
    }

    @Test func theCostOfAHashIsReadFromItsPrefix() {
        #expect(PasswordHasher.cost(of: TestVectors.seedHash) == 12)
        #expect(PasswordHasher.cost(of: TestVectors.hash2a) == 4)
        #expect(PasswordHasher.cost(of: TestVectors.hash2y) == 4)
        #expect(PasswordHasher.cost(of: "$2b$31$") == 31)
        for malformed in ["", "h", "$2b$4$abc", "$2b$xx$abc", "$1$12$abc", "$2b$03$abc", "$2b$32$abc", "$2b$12x"] {
            #expect(PasswordHasher.cost(of: malformed) == nil, "\(malformed)")
        }
    }
}
