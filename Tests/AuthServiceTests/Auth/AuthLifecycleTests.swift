import Foundation
import Testing

@testable import AuthService

@Suite struct AuthLifecycleTests {
    @Test func seedDatabaseUserLogsIn() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            try raw.execute(
                """
                INSERT INTO users (email, hashed_password) VALUES ('guillaume@holberton.io', \(blobLiteral(TestVectors.seedHash)))
                """)
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            let session = await auth.login(email: "guillaume@holberton.io", password: TestVectors.seedPassword)
            #expect(session.value?.user.id == 1)
            #expect(await auth.login(email: "guillaume@holberton.io", password: "wrong").failure == .invalidCredentials)
        }
    }

    @Test func authdWritesHashesAsBlobsLikeTheSeed() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            _ = await auth.register(email: "a@b.c", password: "pw")
            let token = try #require(await auth.resetToken(email: "a@b.c").value)
            let raw = try RawSQLite(path: database.path)
            #expect(try raw.value("SELECT typeof(hashed_password) FROM users") == "blob")
            _ = await auth.updatePassword(email: "a@b.c", resetToken: token, newPassword: "new")
            #expect(try raw.value("SELECT typeof(hashed_password) FROM users") == "blob")
        }
    }

    @Test func writeIsCommittedWhenItsCompletionRuns() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            let raw = try RawSQLite(path: database.path)
            // Read by another connection from inside the completion: it sees only committed data.
            let seen = await withCheckedContinuation { done in
                auth.register(email: "a@b.c", password: "pw", client: .test) { _ in
                    done.resume(returning: try? raw.value("SELECT email FROM users"))
                }
            }
            #expect(seen == "a@b.c")
        }
    }

    @Test func shutdownFinishesWorkAndLeavesACheckpointedIntactFile() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            let outcomes = Counter()
            for index in 0..<10 {
                auth.register(email: "user\(index)@b.c", password: "pw", client: .test) { result in
                    if case .success = result { outcomes.increment() }
                }
            }
            auth.shutdown()
            #expect(outcomes.value == 10)
            let walPath = database.path + "-wal"
            let walSize = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
            #expect(walSize == 0)
            let raw = try RawSQLite(path: database.path)
            #expect(try raw.value("PRAGMA integrity_check") == "ok")
            #expect(try raw.value("SELECT count(*) FROM users") == "10")
        }
    }

    @Test func operationsAfterShutdownAnswerOverloaded() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            auth.shutdown()
            auth.shutdown()
            #expect(await auth.register(email: "a@b.c", password: "pw").failure == .overloaded)
            #expect(await auth.user(forSession: "x").failure == .overloaded)
        }
    }

    @Test func reopeningKeepsUsersAndSessions() async throws {
        try await TemporaryDatabase.with { database in
            let first = try Auth(configuration: testConfiguration(database))
            _ = await first.register(email: "a@b.c", password: "pw")
            let session = try #require(await first.login(email: "a@b.c", password: "pw").value?.sessionID)
            first.shutdown()
            let second = try Auth(configuration: testConfiguration(database))
            defer { second.shutdown() }
            #expect(await second.user(forSession: session).value?.email == "a@b.c")
        }
    }

    @Test func unopenableDatabaseFailsStartWithAClearMessage() async throws {
        try await TemporaryDatabase.with { database in
            try Data("definitely not sqlite, but long enough to be read as a header".utf8).write(
                to: URL(fileURLWithPath: database.path))
            #expect {
                try Auth(configuration: testConfiguration(database))
            } throws: { error in
                guard let error = error as? AuthStartupError, case .database(.cannotOpen) = error else { return false }
                return String(describing: error).contains(database.path)
            }
        }
    }

    @Test func outOfRangeSettingsFailStart() async throws {
        try await TemporaryDatabase.with { database in
            #expect(throws: AuthStartupError.bcryptCostOutOfRange(32)) {
                try Auth(configuration: testConfiguration(database, cost: 32))
            }
            var configuration = testConfiguration(database)
            configuration.hashThreads = 0
            #expect(throws: AuthStartupError.hashThreadsOutOfRange(0)) { try Auth(configuration: configuration) }
        }
    }
}
