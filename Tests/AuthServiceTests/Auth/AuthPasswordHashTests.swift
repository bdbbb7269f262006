import Logging
import Synchronization
import Testing

@testable import AuthService

/// Stored hashes through Auth: upgraded on login to the configured cost, too costly ones not
/// verified, the unknown-email run at the stored hashes' cost, the minimum length of new passwords.
@Suite struct AuthPasswordHashTests {
    private let hasher = PasswordHasher()

    private func configuration(
        cost: Int = 4, _ configure: (inout AuthConfiguration) -> Void = { _ in }
    ) -> AuthConfiguration {
        var configuration = AuthConfiguration(bcryptCost: cost, hashThreads: 1)
        configure(&configuration)
        return configuration
    }

    @Test func aLoginRehashesAPasswordStoredAtAnotherCostAsTheSeedStoresIt() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            let old = try hasher.hash("pw", cost: 5)
            try raw.execute("INSERT INTO users (email, hashed_password) VALUES ('a@b.c', \(blobLiteral(old)))")
            let auth = try Auth(configuration: testConfiguration(database, cost: 4))
            defer { auth.shutdown() }
            let session = try #require(await auth.login(email: "a@b.c", password: "pw").value)
            let stored = try #require(try raw.value("SELECT CAST(hashed_password AS TEXT) FROM users"))
            #expect(stored.hasPrefix("$2b$04$") && stored != old)
            #expect(hasher.verify("pw", against: stored))
            #expect(session.user.hashedPassword == stored)
            #expect(try raw.value("SELECT typeof(hashed_password) FROM users") == "blob")
            // At the configured cost now: the next login leaves it alone.
            _ = try #require(await auth.login(email: "a@b.c", password: "pw").value)
            #expect(try raw.value("SELECT CAST(hashed_password AS TEXT) FROM users") == stored)
        }
    }

    @Test func aPasswordMatchesInEitherUnicodeFormAndNewOnesAreHashedInNFC() async throws {
        let store = InMemoryUserStore()
        let auth = try Auth(store: store, configuration: configuration { $0.throttling.emailFailureLimit = 0 })
        defer { auth.shutdown() }
        let composed = "caf\u{E9} cr\u{E8}me"
        let decomposed = "cafe\u{301} cre\u{300}me"
        _ = try #require(await auth.register(email: "nfc@b.c", password: composed).value)
        _ = try #require(await auth.register(email: "nfd@b.c", password: decomposed).value)
        // Both stored in NFC: either form logs in to either account.
        let stored = try #require(try await store.findUser(email: "nfd@b.c").get()?.hashedPassword)
        #expect(hasher.verify(composed, against: stored))
        for email in ["nfc@b.c", "nfd@b.c"] {
            for form in [composed, decomposed] {
                #expect(await auth.login(email: email, password: form).value != nil, "\(email)")
            }
        }
        #expect(await auth.login(email: "nfc@b.c", password: "cafe creme").failure == .invalidCredentials)
    }

    @Test func aSeedHashOfAnUnnormalisedPasswordStillMatchesAsTyped() async throws {
        let store = InMemoryUserStore()
        // The seed's service hashed what it was sent, NFD included.
        let decomposed = "cafe\u{301}"
        _ = try await store.addUser(email: "seed@b.c", hashedPassword: try hasher.hash(decomposed, cost: 4)).get()
        let auth = try Auth(store: store, configuration: configuration())
        defer { auth.shutdown() }
        let before = auth.stats.bcryptRuns
        #expect(await auth.login(email: "seed@b.c", password: decomposed).value != nil)
        // The form as typed is tried first: it matched at the first run.
        #expect(auth.stats.bcryptRuns == before + 1)
    }

    @Test func anASCIIOrNFCPasswordCostsOneRunAndAnotherFormTwoKnownOrNot() async throws {
        let store = InMemoryUserStore()
        _ = try await store.addUser(email: "a@b.c", hashedPassword: try hasher.hash("pw", cost: 4)).get()
        let auth = try Auth(store: store, configuration: configuration { $0.throttling.emailFailureLimit = 0 })
        defer { auth.shutdown() }
        var runs = auth.stats.bcryptRuns
        func spent() -> Int {
            defer { runs = auth.stats.bcryptRuns }
            return auth.stats.bcryptRuns - runs
        }
        for (email, password, expected) in [
            ("a@b.c", "wrong", 1), ("a@b.c", "caf\u{E9}", 1), ("nobody@b.c", "caf\u{E9}", 1),
            ("a@b.c", "cafe\u{301}", 2), ("nobody@b.c", "cafe\u{301}", 2),
        ] {
            #expect(await auth.login(email: email, password: password).failure == .invalidCredentials)
            #expect(spent() == expected, "\(email) \(Array(password.unicodeScalars))")
        }
    }

    @Test func aWrongPasswordOrAHashAtTheConfiguredCostIsNotRehashed() async throws {
        let store = InMemoryUserStore()
        let old = try hasher.hash("pw", cost: 5)
        let current = try hasher.hash("pw", cost: 4)
        _ = try await store.addUser(email: "old@b.c", hashedPassword: old).get()
        _ = try await store.addUser(email: "current@b.c", hashedPassword: current).get()
        let auth = try Auth(store: store, configuration: configuration())
        defer { auth.shutdown() }
        #expect(await auth.login(email: "old@b.c", password: "wrong").failure == .invalidCredentials)
        #expect(try await store.findUser(email: "old@b.c").get()?.hashedPassword == old)
        #expect(await auth.login(email: "current@b.c", password: "pw").value != nil)
        #expect(try await store.findUser(email: "current@b.c").get()?.hashedPassword == current)
    }

    @Test func aStoredHashAboveTheMaximumCostIsNotVerifiedAndLoggedOnce() async throws {
        let store = InMemoryUserStore()
        // A real bcrypt hash that would take about 8 s to verify at cost 17 here.
        let costly = "$2b$17$" + TestVectors.hash2b.dropFirst(7)
        let user = try await store.addUser(email: "heavy@b.c", hashedPassword: costly).get()
        let log = LogCollector()
        let auth = try Auth(store: store, configuration: configuration(), logger: log.logger)
        defer { auth.shutdown() }
        // Decided before bcrypt: the dummy run instead of the stored hash (a timing bound would be
        // noise on a loaded 2-core machine).
        #expect(auth.passwordCheck(for: user) == .dummyForCostAboveMaximum(cost: 17))
        #expect(await auth.login(email: "heavy@b.c", password: TestVectors.password).failure == .invalidCredentials)
        #expect(log.entries.count == 1)
        let entry = try #require(log.entries.first)
        #expect(entry.level == .warning)
        #expect(
            entry.metadata["user_id"] == "1" && entry.metadata["cost"] == "17" && entry.metadata["maximum_cost"] == "16"
        )
        #expect(try await store.findUser(email: "heavy@b.c").get()?.hashedPassword == costly)
        // It still paid a bcrypt run, as a wrong password does.
        #expect(auth.stats.bcryptRuns == 1)
    }

    @Test func theCheckOfAStoredHashFollowsItsCost() throws {
        let auth = try Auth(
            store: InMemoryUserStore(), configuration: configuration(cost: 5) { $0.bcryptMaximumCost = 12 })
        defer { auth.shutdown() }
        func user(_ hash: String) -> User { User(id: 1, email: "a@b.c", hashedPassword: hash) }
        #expect(auth.passwordCheck(for: nil) == .dummyForUnknownEmail)
        #expect(
            auth.passwordCheck(for: user("$2b$05$" + TestVectors.hash2b.dropFirst(7)))
                == .storedHash(cost: 5, rehashingAt: nil))
        #expect(auth.passwordCheck(for: user(TestVectors.hash2b)) == .storedHash(cost: 4, rehashingAt: 5))
        #expect(auth.passwordCheck(for: user(TestVectors.seedHash)) == .storedHash(cost: 12, rehashingAt: 5))
        #expect(
            auth.passwordCheck(for: user("$2y$13$" + TestVectors.hash2y.dropFirst(7)))
                == .dummyForCostAboveMaximum(cost: 13))
        #expect(auth.passwordCheck(for: user("not a hash")) == .storedHash(cost: nil, rehashingAt: nil))
    }

    @Test func theMaximumCostIsConfigurable() async throws {
        let store = InMemoryUserStore()
        _ = try await store.addUser(email: "a@b.c", hashedPassword: try hasher.hash("pw", cost: 6)).get()
        let log = LogCollector()
        let auth = try Auth(store: store, configuration: configuration { $0.bcryptMaximumCost = 5 }, logger: log.logger)
        defer { auth.shutdown() }
        #expect(await auth.login(email: "a@b.c", password: "pw").failure == .invalidCredentials)
        #expect(log.entries.map(\.metadata["cost"]) == ["6"])
    }

    @Test func theUnknownEmailRunCostsWhatTheStoredHashesCostFromTheStart() async throws {
        let store = InMemoryUserStore()
        for index in 0..<3 {
            _ = try await store.addUser(email: "u\(index)@b.c", hashedPassword: try hasher.hash("pw", cost: 6)).get()
        }
        _ = try await store.addUser(email: "odd@b.c", hashedPassword: try hasher.hash("pw", cost: 5)).get()
        let auth = try Auth(store: store, configuration: configuration(cost: 4))
        defer { auth.shutdown() }
        #expect(auth.storedCosts.typicalCost == 6)
        #expect(PasswordHasher.cost(of: auth.storedCosts.dummySetting) == 6)
        #expect(await auth.login(email: "nobody@b.c", password: "pw").failure == .invalidCredentials)
    }

    @Test func theUnknownEmailRunFollowsTheCostsLoginsVerify() async throws {
        let store = InMemoryUserStore()
        let auth = try Auth(store: store, configuration: configuration(cost: 4) { $0.throttling.emailFailureLimit = 0 })
        defer { auth.shutdown() }
        #expect(auth.storedCosts.typicalCost == 4)
        // Written after start (as by the seed's service on the same file): known once logins verify them.
        _ = try await store.addUser(email: "a@b.c", hashedPassword: try hasher.hash("pw", cost: 6)).get()
        for _ in 0..<2 {
            #expect(await auth.login(email: "a@b.c", password: "wrong").failure == .invalidCredentials)
        }
        #expect(auth.storedCosts.typicalCost == 6)
        #expect(PasswordHasher.cost(of: auth.storedCosts.dummySetting) == 6)
    }

    @Test func aHashAboveTheMaximumDoesNotRaiseTheUnknownEmailRun() async throws {
        let store = InMemoryUserStore()
        _ = try await store.addUser(email: "heavy@b.c", hashedPassword: "$2b$20$" + TestVectors.hash2b.dropFirst(7))
            .get()
        let auth = try Auth(store: store, configuration: configuration(), logger: LogCollector().logger)
        defer { auth.shutdown() }
        _ = await auth.login(email: "heavy@b.c", password: "pw")
        #expect(auth.storedCosts.typicalCost == 4)
    }

    @Test func aNewPasswordShorterThanTheMinimumIsRefusedAndOldShortOnesStillLogIn() async throws {
        let store = InMemoryUserStore()
        _ = try await store.addUser(email: "old@b.c", hashedPassword: try hasher.hash("short", cost: 4)).get()
        let auth = try Auth(store: store, configuration: configuration { $0.passwordMinimumLength = 8 })
        defer { auth.shutdown() }
        #expect(await auth.register(email: "a@b.c", password: "short").failure == .passwordTooShort(minimum: 8))
        // Counted in characters (code points), not bytes: seven é are 14 bytes.
        #expect(
            await auth.register(email: "a@b.c", password: String(repeating: "\u{E9}", count: 7)).failure
                == .passwordTooShort(minimum: 8))
        #expect(await auth.register(email: "a@b.c", password: String(repeating: "\u{E9}", count: 8)).value != nil)
        #expect(await auth.login(email: "old@b.c", password: "short").value != nil)
        let token = try #require(await auth.resetToken(email: "old@b.c").value)
        #expect(
            await auth.updatePassword(email: "old@b.c", resetToken: token, newPassword: "seven77").failure
                == .passwordTooShort(minimum: 8))
        #expect(await auth.updatePassword(email: "old@b.c", resetToken: token, newPassword: "eight888").value != nil)
    }

    @Test func outOfRangeHashSettingsFailStart() throws {
        #expect(throws: AuthStartupError.bcryptMaximumCostOutOfRange(11, cost: 12)) {
            try Auth(
                store: InMemoryUserStore(), configuration: AuthConfiguration(bcryptCost: 12, bcryptMaximumCost: 11))
        }
        #expect(throws: AuthStartupError.bcryptMaximumCostOutOfRange(32, cost: 12)) {
            try Auth(store: InMemoryUserStore(), configuration: AuthConfiguration(bcryptMaximumCost: 32))
        }
        for length in [0, 73] {
            #expect(throws: AuthStartupError.passwordMinimumLengthOutOfRange(length)) {
                try Auth(store: InMemoryUserStore(), configuration: AuthConfiguration(passwordMinimumLength: length))
            }
        }
    }
}

/// Keeps what a Logger logs, for tests to read.
final class LogCollector: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let kept = Mutex<[Entry]>([])

    var entries: [Entry] { kept.withLock { $0 } }

    /// A logger whose every line lands here.
    var logger: Logger {
        Logger(label: "test") { _ in Handler(collector: self) }
    }

    fileprivate func add(_ entry: Entry) {
        kept.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            collector.add(
                Entry(level: event.level, message: event.message.description, metadata: event.metadata ?? [:]))
        }
    }
}
