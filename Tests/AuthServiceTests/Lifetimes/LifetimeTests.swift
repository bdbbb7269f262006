import Testing

@testable import AuthService

/// The duration syntax of `--session-ttl` and `--reset-token-ttl`.
@Suite struct LifetimeTests {
    @Test(arguments: [("90", 90), ("90s", 90), ("15m", 900), ("2h", 7200), ("7d", 604_800), ("1", 1)])
    func durationsWithOrWithoutUnitParse(text: String, seconds: Int64) {
        #expect(Lifetime(parsing: text) == Lifetime(seconds: seconds))
    }

    @Test(arguments: [
        "", "0", "0s", "-5", "5x", "m", "1.5m", " 5", "5 m", "15M", "99999999999999999999", "9223372036854775807d",
    ])
    func malformedOrZeroDurationsAreRefused(text: String) {
        #expect(Lifetime(parsing: text) == nil)
    }

    @Test func somethingExpiresOnceItsLifetimeHasPassed() {
        let lifetime = Lifetime(seconds: 1)
        #expect(!lifetime.hasExpired(createdAt: 10_000, now: 10_999))
        #expect(lifetime.hasExpired(createdAt: 10_000, now: 11_000))
    }
}
