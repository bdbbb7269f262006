import Testing

@testable import AuthService

/// Auth's second factor: enrolment with the password typed again, confirmation by a first code,
/// codes that work once (and never an earlier step), recovery codes used once, wrong codes
/// throttled as wrong passwords are.
@Suite struct AuthSecondFactorTests {
    private let clock = ClockForTests()
    private let keys = SealingKeyring(current: .random())
    private let audit = AuditCollector()

    private func auth(keys: SealingKeyring? = nil, failureLimit: Int = 5) throws -> Auth {
        var configuration = AuthConfiguration(bcryptCost: 4, hashThreads: 1, clock: clock.read)
        configuration.sealingKeys = keys ?? self.keys
        configuration.throttling.emailFailureLimit = failureLimit
        return try Auth(store: InMemoryUserStore(), configuration: configuration, audit: audit)
    }

    private func code(_ secret: [UInt8], stepsFromNow offset: Int64 = 0) -> String {
        TOTP.formatted(TOTP.code(secret: secret, step: TOTP.step(atMilliseconds: clock.read()) + offset))
    }

    /// Registers and logs in bob, and enrols and confirms TOTP; the user, session, secret and codes.
    private func enrolled(_ auth: Auth) async throws -> (user: User, session: String, secret: [UInt8], codes: [String])
    {
        let user = try #require(await auth.register(email: "bob@b.c", password: "pw").value)
        let session = try #require(await auth.login(email: "bob@b.c", password: "pw").value).sessionID
        let enrolment = try #require(await auth.beginTOTPEnrolment(sessionID: session, password: "pw").value)
        let secret = try #require(keys.open(enrolment.sealed, for: .totpSecret(userID: user.id, email: user.email)))
        let codes = try #require(await auth.confirmTOTPEnrolment(sessionID: session, code: code(secret)).value)
        return (user, session, secret, codes)
    }

    @Test func enrolmentNeedsThePasswordAndAFirstCodeThenGivesTenRecoveryCodes() async throws {
        let auth = try auth()
        defer { auth.shutdown() }
        _ = try #require(await auth.register(email: "bob@b.c", password: "pw").value)
        let session = try #require(await auth.login(email: "bob@b.c", password: "pw").value).sessionID
        #expect(await auth.beginTOTPEnrolment(sessionID: session, password: "wrong").failure == .invalidCredentials)
        #expect(await auth.beginTOTPEnrolment(sessionID: "nope", password: "pw").failure == .unknownSession)
        #expect(await auth.confirmTOTPEnrolment(sessionID: session, code: "123456").failure == .noPendingSecondFactor)
        let enrolment = try #require(await auth.beginTOTPEnrolment(sessionID: session, password: "pw").value)
        #expect(enrolment.uri.hasPrefix("otpauth://totp/authd:bob%40b.c?secret=\(enrolment.secret)&"))
        let secret = try #require(keys.open(enrolment.sealed, for: .totpSecret(userID: 1, email: "bob@b.c")))
        #expect(
            await auth.confirmTOTPEnrolment(sessionID: session, code: code(secret, stepsFromNow: 2)).failure
                == .invalidSecondFactor)
        let codes = try #require(await auth.confirmTOTPEnrolment(sessionID: session, code: code(secret)).value)
        #expect(codes.count == 10)
        #expect(
            await auth.beginTOTPEnrolment(sessionID: session, password: "pw").failure == .secondFactorAlreadyEnabled)
        #expect(audit.records.contains { $0.event == .secondFactorEnabled && $0.userID == 1 })
    }

    @Test func aCodeWorksOnceAndNeverAnEarlierStepAfterALaterOne() async throws {
        let auth = try auth()
        defer { auth.shutdown() }
        let bob = try await enrolled(auth)
        // The confirming code's step is claimed already.
        #expect(await auth.checkSecondFactor(bob.user, code: code(bob.secret)).failure == .invalidSecondFactor)
        clock.advance(seconds: 30)
        #expect(await auth.checkSecondFactor(bob.user, code: code(bob.secret, stepsFromNow: 1)).value != nil)
        // The step before is now refused: steps only move forward.
        #expect(await auth.checkSecondFactor(bob.user, code: code(bob.secret)).failure == .invalidSecondFactor)
        #expect(
            audit.records.contains { $0.event == .secondFactorFailed && $0.reason == "code_reused" })
    }

    @Test func eachRecoveryCodeWorksOnce() async throws {
        let auth = try auth()
        defer { auth.shutdown() }
        let bob = try await enrolled(auth)
        #expect(await auth.checkSecondFactor(bob.user, recoveryCode: bob.codes[4].uppercased()).value != nil)
        #expect(await auth.checkSecondFactor(bob.user, recoveryCode: bob.codes[4]).failure == .invalidSecondFactor)
        #expect(audit.records.filter { $0.event == .recoveryCodeUsed }.count == 1)
    }

    @Test func wrongCodesAreThrottledLikeWrongPasswords() async throws {
        let auth = try auth(failureLimit: 3)
        defer { auth.shutdown() }
        let bob = try await enrolled(auth)
        let wrong = String(format6: (Int(code(bob.secret))! + 1) % 1_000_000)
        for _ in 0..<3 {
            #expect(await auth.checkSecondFactor(bob.user, code: wrong).failure == .invalidSecondFactor)
        }
        guard case .throttled? = await auth.checkSecondFactor(bob.user, code: code(bob.secret, stepsFromNow: 1)).failure
        else {
            Issue.record("the fourth attempt was not throttled")
            return
        }
        // The password route counts the same failures.
        guard case .throttled? = await auth.login(email: "bob@b.c", password: "pw").failure else {
            Issue.record("the login was not throttled")
            return
        }
    }

    @Test func withoutAKeyNoSecondFactorCanBeEnrolledAndASecretFromAnotherKeyDoesNotOpen() async throws {
        let other = try auth(keys: SealingKeyring(current: .random()))
        defer { other.shutdown() }
        _ = try #require(await other.register(email: "bob@b.c", password: "pw").value)
        let session = try #require(await other.login(email: "bob@b.c", password: "pw").value).sessionID
        let enrolment = try #require(await other.beginTOTPEnrolment(sessionID: session, password: "pw").value)
        #expect(keys.open(enrolment.sealed, for: .totpSecret(userID: 1, email: "bob@b.c")) == nil)

        var configuration = AuthConfiguration(bcryptCost: 4, hashThreads: 1)
        configuration.sealingKeys = nil
        let unkeyed = try Auth(store: InMemoryUserStore(), configuration: configuration)
        defer { unkeyed.shutdown() }
        #expect(
            await unkeyed.beginTOTPEnrolment(sessionID: session, password: "pw").failure == .secondFactorUnavailable)
    }
}

extension String {
    /// `value` as six digits.
    fileprivate init(format6 value: Int) {
        self = TOTP.formatted(UInt32(value))
    }
}

extension Auth {
    fileprivate func beginTOTPEnrolment(sessionID: String, password: String) async -> Result<
        TOTPEnrolment, AuthError
    > {
        await withCheckedContinuation { done in
            beginTOTPEnrolment(sessionID: sessionID, password: password, client: .test) { done.resume(returning: $0) }
        }
    }

    fileprivate func confirmTOTPEnrolment(sessionID: String, code: String) async -> Result<[String], AuthError> {
        await withCheckedContinuation { done in
            confirmTOTPEnrolment(sessionID: sessionID, code: code, client: .test) { done.resume(returning: $0) }
        }
    }

    fileprivate func checkSecondFactor(_ user: User, code: String? = nil, recoveryCode: String? = nil) async
        -> Result<Void, AuthError>
    {
        await withCheckedContinuation { done in
            checkSecondFactor(
                userID: user.id, email: user.email, code: code, recoveryCode: recoveryCode, client: .test
            ) { done.resume(returning: $0) }
        }
    }
}
