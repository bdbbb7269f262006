import Foundation
import Testing

@testable import AuthService

/// `AuthConfiguration` and `ThrottleSettings` are the one home of Auth's defaults and rules: what
/// they are, what `validate()` refuses, and that each refusal names the setting and its value.
@Suite struct AuthConfigurationTests {
    /// One setting set out of range, the error it must give, and the line an operator reads.
    struct OutOfRange: Sendable, CustomTestStringConvertible {
        let change: @Sendable (inout AuthConfiguration) -> Void
        let error: AuthStartupError
        let message: String
        var testDescription: String { message }
    }

    static let outOfRange: [OutOfRange] = [
        .init(
            change: { $0.bcryptCost = 3 }, error: .bcryptCostOutOfRange(3),
            message: "--bcrypt-cost 3 must be within 4...31"),
        .init(
            change: { $0.bcryptCost = 32 }, error: .bcryptCostOutOfRange(32),
            message: "--bcrypt-cost 32 must be within 4...31"),
        .init(
            change: { $0.hashThreads = 0 }, error: .hashThreadsOutOfRange(0),
            message: "--hash-threads 0 must be at least 1"),
        .init(
            change: { $0.hashQueueLimit = 0 }, error: .hashQueueLimitOutOfRange(0),
            message: "--hash-queue 0 must be at least 1"),
        .init(
            change: { $0.busyTimeoutMilliseconds = -1 }, error: .busyTimeoutOutOfRange(-1),
            message: "--busy-timeout-milliseconds -1 must not be negative"),
        .init(
            change: { $0.sessionLifetime = Lifetime(seconds: 0) },
            error: .sessionLifetimeOutOfRange(Lifetime(seconds: 0)),
            message: "--session-ttl 0 ms must be longer than 0"),
        .init(
            change: { $0.resetTokenLifetime = Lifetime(seconds: -5) },
            error: .resetTokenLifetimeOutOfRange(Lifetime(seconds: -5)),
            message: "--reset-token-ttl -5000 ms must be longer than 0"),
        .init(
            change: { $0.throttling.emailFailureLimit = -1 }, error: .emailFailureLimitOutOfRange(-1),
            message: "--login-failure-limit -1 must not be negative (0 is off)"),
        .init(
            change: { $0.throttling.addressFailureLimit = -2 }, error: .addressFailureLimitOutOfRange(-2),
            message: "--address-failure-limit -2 must not be negative (0 is off)"),
        .init(
            change: { $0.throttling.addressRequestLimit = -3 }, error: .addressRequestLimitOutOfRange(-3),
            message: "--address-request-limit -3 must not be negative (0 is off)"),
        .init(
            change: { $0.throttling.window = Lifetime(seconds: 0) },
            error: .throttleWindowOutOfRange(Lifetime(seconds: 0)),
            message: "--throttle-window 0 ms must be longer than 0"),
        .init(
            change: { $0.throttling.backoff = Lifetime(seconds: 0) },
            error: .throttleBackoffOutOfRange(Lifetime(seconds: 0)),
            message: "--throttle-backoff 0 ms must be longer than 0"),
    ]

    @Test func defaultsAreTheDocumentedOnes() {
        let configuration = AuthConfiguration()
        #expect(configuration.databasePath == "authd.db")
        #expect(configuration.bcryptCost == 12)
        #expect(configuration.hashThreads == AuthConfiguration.onlineCores)
        #expect(configuration.hashQueueLimit == 1024)
        #expect(configuration.busyTimeoutMilliseconds == 5000)
        #expect(configuration.sessionLifetime == Lifetime(seconds: 7 * 86_400))
        #expect(configuration.resetTokenLifetime == Lifetime(seconds: 15 * 60))
    }

    @Test func throttleDefaultsAreTheDocumentedOnes() {
        let throttling = ThrottleSettings()
        #expect(throttling.emailFailureLimit == 5)
        #expect(throttling.addressFailureLimit == 50)
        #expect(throttling.addressRequestLimit == 100)
        #expect(throttling.window == Lifetime(seconds: 15 * 60))
        #expect(throttling.backoff == Lifetime(seconds: 30))
        #expect(AuthConfiguration().throttling.emailFailureLimit == throttling.emailFailureLimit)
    }

    @Test func theDefaultsPassTheirOwnRules() throws {
        try AuthConfiguration().validate()
        try ThrottleSettings().validate()
    }

    @Test func theEdgesOfEachRangeAreAccepted() throws {
        for change: (inout AuthConfiguration) -> Void in [
            { $0.bcryptCost = 4 },
            {
                $0.bcryptCost = 31
                $0.bcryptMaximumCost = 31
            }, { $0.hashThreads = 1 }, { $0.hashQueueLimit = 1 },
            { $0.busyTimeoutMilliseconds = 0 }, { $0.sessionLifetime = Lifetime(seconds: 1) },
            // 0 turns a throttle off.
            { $0.throttling.emailFailureLimit = 0 }, { $0.throttling.addressFailureLimit = 0 },
            { $0.throttling.addressRequestLimit = 0 },
        ] {
            var configuration = AuthConfiguration()
            change(&configuration)
            try configuration.validate()
        }
    }

    @Test(arguments: outOfRange)
    func anOutOfRangeSettingIsRefusedNamingItAndItsValue(_ example: OutOfRange) {
        var configuration = AuthConfiguration()
        example.change(&configuration)
        #expect(throws: example.error) { try configuration.validate() }
        #expect(example.error.description == example.message)
    }

    /// Every job reaches a hash thread through the queue: with room for none, no password
    /// operation could ever run. The CLI always refused 0; the type now refuses it too.
    @Test func aHashQueueOfZeroStopsAuthBeforeItOpensTheDatabase() async throws {
        try await TemporaryDatabase.with { database in
            var configuration = testConfiguration(database)
            configuration.hashQueueLimit = 0
            #expect(throws: AuthStartupError.hashQueueLimitOutOfRange(0)) { try Auth(configuration: configuration) }
            #expect(!FileManager.default.fileExists(atPath: database.path))
        }
    }

    @Test func aThrottleLimitOutOfRangeStopsAuth() {
        var configuration = AuthConfiguration(bcryptCost: 4, hashThreads: 1)
        configuration.throttling.addressRequestLimit = -1
        #expect(throws: AuthStartupError.addressRequestLimitOutOfRange(-1)) {
            try Auth(store: InMemoryUserStore(), configuration: configuration)
        }
    }
}
