import Testing

@testable import AuthService

/// Emails through Auth: one normalized form registered, looked up, reset and throttled; case
/// variants one account; a seed file's case duplicates untouched and each reachable by its spelling.
@Suite struct AuthEmailTests {
    private func makeAuth(
        _ store: any UserStore = InMemoryUserStore(), audit: any AuditSink = DiscardingAuditSink(),
        configure: (inout AuthConfiguration) -> Void = { _ in }
    ) throws -> Auth {
        var configuration = AuthConfiguration(bcryptCost: 4, hashThreads: 1)
        configure(&configuration)
        return try Auth(store: store, configuration: configuration, audit: audit)
    }

    @Test func registrationStoresTheNormalizedEmail() async throws {
        let store = InMemoryUserStore()
        let auth = try makeAuth(store)
        defer { auth.shutdown() }
        let user = try #require(await auth.register(email: "  Victim@X.Test\n", password: "pw").value)
        #expect(user.email == "Victim@x.test")
        #expect(try await store.findUser(email: "Victim@x.test").get()?.id == user.id)
    }

    @Test func fiveSpellingsOfOneAddressAreOneAccount() async throws {
        let auth = try makeAuth()
        defer { auth.shutdown() }
        let user = try #require(await auth.register(email: "victim@x.test", password: "pw").value)
        let spellings = ["victim@x.test", "VICTIM@x.test", "Victim@X.test", " victim@x.test", "victim@x.test "]
        for spelling in spellings {
            #expect(
                await auth.register(email: spelling, password: "other").failure == .emailAlreadyRegistered,
                "\(spelling)")
        }
        for spelling in spellings {
            let session = await auth.login(email: spelling, password: "pw")
            #expect(session.value?.user.id == user.id, "\(spelling)")
            // The answer names the account as stored.
            #expect(session.value?.user.email == "victim@x.test")
        }
        #expect(await auth.login(email: "VICTIM@x.test", password: "other").failure == .invalidCredentials)
    }

    @Test func decomposedAndPrecomposedSpellingsAreOneAccount() async throws {
        let auth = try makeAuth()
        defer { auth.shutdown() }
        let decomposed = "jose\u{301}@x.test"
        let precomposed = "jos\u{E9}@x.test"
        let user = try #require(await auth.register(email: decomposed, password: "pw").value)
        #expect(Array(user.email.utf8) == Array(precomposed.utf8))
        #expect(await auth.register(email: precomposed, password: "pw").failure == .emailAlreadyRegistered)
        #expect(await auth.login(email: precomposed, password: "pw").value?.user.id == user.id)
        // É is not ASCII: another address
        #expect(await auth.login(email: "JOSE\u{301}@X.TEST", password: "pw").value == nil)
    }

    @Test func seedEmailsDifferingOnlyByCaseEachLogInWithTheirOwnSpellingAndStayAsTheyAre() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            try raw.execute(
                """
                INSERT INTO users (email, hashed_password) VALUES ('Dup@x.test', \(blobLiteral(TestVectors.hash2b))), \
                ('dup@x.test', \(blobLiteral(TestVectors.hash2a)))
                """)
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            #expect(await auth.login(email: "Dup@x.test", password: TestVectors.password).value?.user.id == 1)
            #expect(await auth.login(email: "dup@x.test", password: TestVectors.password).value?.user.id == 2)
            // Neither is exact, and two match ignoring case: which one is meant cannot be told.
            #expect(
                await auth.login(email: "DUP@x.test", password: TestVectors.password).failure == .invalidCredentials)
            #expect(await auth.register(email: "DUP@x.test", password: "pw").failure == .emailAlreadyRegistered)
            #expect(await auth.resetToken(email: "DUP@x.test").failure == .unknownEmail)
            let token = try #require(await auth.resetToken(email: "dup@x.test").value)
            #expect(try raw.value("SELECT id FROM users WHERE reset_token IS NOT NULL") == "2")
            #expect(
                await auth.updatePassword(email: "Dup@x.test", resetToken: token, newPassword: "new").failure
                    == .invalidResetToken)
            #expect(
                await auth.updatePassword(email: "dup@x.test", resetToken: token, newPassword: "new").value?.id == 2)
            #expect(try raw.rows("SELECT email FROM users ORDER BY id") == [["Dup@x.test"], ["dup@x.test"]])
        }
    }

    @Test func resetTokensAreIssuedAndUsedWithTheNormalizedEmail() async throws {
        let auth = try makeAuth()
        defer { auth.shutdown() }
        let user = try #require(await auth.register(email: "victim@x.test", password: "pw").value)
        let issued = try #require(
            await withCheckedContinuation { done in
                auth.resetToken(email: " VICTIM@X.test", client: .test) { done.resume(returning: $0) }
            }.value)
        #expect(issued.user.id == user.id && issued.user.email == "victim@x.test")
        let updated = await auth.updatePassword(email: "Victim@x.TEST ", resetToken: issued.token, newPassword: "new")
        #expect(updated.value?.id == user.id)
        #expect(await auth.login(email: "victim@x.test", password: "new").value != nil)
    }

    @Test func anEmailThatCannotBeOneIsRefusedBeforeAnythingHappens() async throws {
        let store = InMemoryUserStore()
        let audit = AuditCollector()
        let auth = try makeAuth(store, audit: audit)
        defer { auth.shutdown() }
        let bad = "victim.x.test"
        #expect(await auth.register(email: bad, password: "pw").failure == .invalidEmail(.atSignCount(0)))
        #expect(await auth.login(email: "vic tim@x.test", password: "pw").failure == .invalidEmail(.whiteSpace))
        #expect(await auth.resetToken(email: "a\u{200B}@x.test").failure == .invalidEmail(.controlCharacter))
        #expect(
            await auth.updatePassword(email: "@x.test", resetToken: "t", newPassword: "n").failure
                == .invalidEmail(.emptyLocalPart))
        #expect(
            await auth.register(email: String(repeating: "a", count: 60_000), password: "pw").failure
                == .invalidEmail(.tooLong))
        #expect(try await store.newestPasswordHashes(limit: 10).get().isEmpty)
        #expect(audit.records.isEmpty)
        #expect(auth.stats.bcryptRuns == 0)
    }

    @Test func theThrottleCountsEverySpellingOfTheNormalizedFormAsOneEmail() async throws {
        let auth = try makeAuth { $0.throttling.emailFailureLimit = 2 }
        defer { auth.shutdown() }
        _ = await auth.register(email: "v@x.test", password: "right")
        #expect(await auth.login(email: " v@x.test", password: "wrong").failure == .invalidCredentials)
        #expect(await auth.login(email: "v@X.TEST\t", password: "wrong").failure == .invalidCredentials)
        guard case .throttled = await auth.login(email: "v@x.test", password: "right").failure else {
            Issue.record("the third attempt was not throttled")
            return
        }
    }
}
