import Testing

@testable import AuthService

@Suite struct AuthConcurrencyTests {
    /// Registers `email` `count` times at once and returns the outcomes.
    private func registerConcurrently(_ auth: Auth, email: String, count: Int) async -> [Result<User, AuthError>] {
        await withTaskGroup(of: Result<User, AuthError>.self) { group in
            for index in 0..<count {
                group.addTask { await auth.register(email: email, password: "password-\(index)") }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func twentyConcurrentRegistrationsOfOneEmailGiveExactlyOneSuccess() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            let results = await registerConcurrently(auth, email: "race@b.c", count: 20)
            #expect(results.count { $0.value != nil } == 1)
            #expect(results.count { $0.failure == .emailAlreadyRegistered } == 19)
            #expect(
                try RawSQLite(path: database.path).value("SELECT count(*) FROM users WHERE email = 'race@b.c'") == "1")
        }
    }

    @Test func concurrentRegistrationsStayUniqueWithoutTheUniqueIndex() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            try raw.execute("INSERT INTO users (email, hashed_password) VALUES ('dup@b.c', 'h1'), ('dup@b.c', 'h2')")
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            let results = await registerConcurrently(auth, email: "race@b.c", count: 20)
            #expect(results.count { $0.value != nil } == 1)
            #expect(try raw.value("SELECT count(*) FROM users WHERE email = 'race@b.c'") == "1")
        }
    }

    @Test func fullHashQueueAnswersOverloaded() async throws {
        try await TemporaryDatabase.with { database in
            // One thread at cost 12 (hundreds of ms a hash) with two waiting places: a burst must overflow.
            let configuration = AuthConfiguration(
                databasePath: database.path, bcryptCost: 12, hashThreads: 1, hashQueueLimit: 2)
            let auth = try Auth(configuration: configuration)
            defer { auth.shutdown() }
            let results = await withTaskGroup(of: Result<User, AuthError>.self) { group in
                for index in 0..<8 {
                    group.addTask { await auth.register(email: "user\(index)@b.c", password: "pw") }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let overloaded = results.count { $0.failure == .overloaded }
            let created = results.count { $0.value != nil }
            #expect(overloaded >= 1)
            #expect(created >= 1 && created <= 3 + 4)  // generous: the store lookups interleave with hashing
            #expect(overloaded + created == 8)
        }
    }

    @Test func operationsOfAClientThatHungUpAnswerOverloadedUnhashedAndApplyNothing() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            #expect(await auth.register(email: "a@b.c", password: "pw").value != nil)
            let token = try #require(await auth.resetToken(email: "a@b.c").value)
            let runs = auth.stats.bcryptRuns
            let gone = ClientConnection()
            gone.abandon()
            // Each completion runs once: a second resume of the continuation would trap.
            #expect(await auth.login(email: "a@b.c", password: "pw", connection: gone).failure == .overloaded)
            #expect(await auth.register(email: "new@b.c", password: "pw", connection: gone).failure == .overloaded)
            #expect(
                await auth.updatePassword(
                    email: "a@b.c", resetToken: token, newPassword: "changed", connection: gone
                ).failure == .overloaded)
            #expect(auth.stats.bcryptRuns == runs)
            #expect(auth.stats.hashJobsAbandoned == 3)
            // The gate is left just after the completion returns, on the hash thread.
            for _ in 0..<100 where auth.stats.operationsInFlight != 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(auth.stats.operationsInFlight == 0)
            // Nothing was applied: the token is unused, the email free, and the login's throttle
            // attempt ended, so the (new) password logs in. (A login first would clear the token.)
            #expect(await auth.updatePassword(email: "a@b.c", resetToken: token, newPassword: "changed").value != nil)
            #expect(await auth.login(email: "new@b.c", password: "pw").failure == .invalidCredentials)
            #expect(await auth.login(email: "a@b.c", password: "changed").value != nil)
        }
    }

    @Test func databaseLockedPastTheBusyTimeoutAnswersStorageBusy() async throws {
        try await TemporaryDatabase.with { database in
            var configuration = testConfiguration(database)
            configuration.busyTimeoutMilliseconds = 100
            let auth = try Auth(configuration: configuration)
            defer { auth.shutdown() }
            let other = try RawSQLite(path: database.path)
            try other.execute("BEGIN IMMEDIATE")
            #expect(await auth.register(email: "a@b.c", password: "pw").failure == .storageBusy)
            try other.execute("ROLLBACK")
            #expect(await auth.register(email: "a@b.c", password: "pw").value != nil)
        }
    }

    @Test func statsCountThreadsAndIdleQueues() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            _ = await auth.register(email: "a@b.c", password: "pw")
            _ = await auth.login(email: "a@b.c", password: "pw")
            let stats = auth.stats
            #expect(stats.storeQueueDepth == 0 && stats.hashQueueDepth == 0 && stats.busyHashThreads == 0)
            #expect(stats.hashThreads == 2 && stats.operationsInFlight == 0)
            // One hash at registration, one verification at login.
            #expect(stats.bcryptRuns == 2)
            #expect(stats.bcryptNanoseconds > 0)
        }
    }
}
