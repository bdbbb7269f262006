import Testing

@testable import AuthService

/// Session and reset-token lifetimes, with a clock the test moves.
@Suite struct AuthExpiryTests {
    private let email = "a@b.c"

    private func makeAuth(_ database: TemporaryDatabase, clock: ClockForTests) throws -> Auth {
        var configuration = testConfiguration(database)
        configuration.sessionLifetime = Lifetime(seconds: 60)
        configuration.resetTokenLifetime = Lifetime(seconds: 30)
        configuration.clock = clock.read
        return try Auth(configuration: configuration)
    }

    @Test func sessionPastItsLifetimeIsRefusedAndCleared() async throws {
        try await TemporaryDatabase.with { database in
            let clock = ClockForTests()
            let auth = try makeAuth(database, clock: clock)
            defer { auth.shutdown() }
            _ = await auth.register(email: email, password: "pw")
            let session = try #require(await auth.login(email: email, password: "pw").value)
            clock.advance(seconds: 59)
            #expect(await auth.user(forSession: session.sessionID).value?.email == email)
            clock.advance(seconds: 1)
            #expect(await auth.user(forSession: session.sessionID).failure == .sessionExpired)
            // Cleared: the second look finds no such session at all.
            #expect(await auth.user(forSession: session.sessionID).failure == .unknownSession)
        }
    }

    @Test func logoutWithAnExpiredSessionFails() async throws {
        try await TemporaryDatabase.with { database in
            let clock = ClockForTests()
            let auth = try makeAuth(database, clock: clock)
            defer { auth.shutdown() }
            _ = await auth.register(email: email, password: "pw")
            let session = try #require(await auth.login(email: email, password: "pw").value)
            clock.advance(seconds: 61)
            #expect(await auth.logout(sessionID: session.sessionID).failure == .sessionExpired)
            #expect(await auth.logout(sessionID: session.sessionID).failure == .unknownSession)
        }
    }

    @Test func resetTokenPastItsLifetimeIsRefusedAndCleared() async throws {
        try await TemporaryDatabase.with { database in
            let clock = ClockForTests()
            let auth = try makeAuth(database, clock: clock)
            defer { auth.shutdown() }
            _ = await auth.register(email: email, password: "pw")
            let token = try #require(await auth.resetToken(email: email).value)
            clock.advance(seconds: 30)
            #expect(
                await auth.updatePassword(email: email, resetToken: token, newPassword: "new").failure
                    == .resetTokenExpired)
            #expect(
                await auth.updatePassword(email: email, resetToken: token, newPassword: "new").failure
                    == .invalidResetToken)
            #expect(await auth.login(email: email, password: "pw").value != nil)
        }
    }

    /// Without a mailer (the seed's `response` delivery) anyone who knows an email can reset its
    /// password: ending sessions there protects nothing, and seed clients log out with the old
    /// cookie afterwards, so the session stays as the seed keeps it.
    @Test func passwordUpdateInResponseModeKeepsTheSessionAsTheSeedDoes() async throws {
        try await TemporaryDatabase.with { database in
            let clock = ClockForTests()
            let auth = try makeAuth(database, clock: clock)
            defer { auth.shutdown() }
            _ = await auth.register(email: email, password: "pw")
            let session = try #require(await auth.login(email: email, password: "pw").value)
            let token = try #require(await auth.resetToken(email: email).value)
            #expect(await auth.updatePassword(email: email, resetToken: token, newPassword: "new").value != nil)
            #expect(await auth.user(forSession: session.sessionID).value?.email == email)
        }
    }

    @Test func seedSessionWithoutCreationTimeCountsFromStartup() async throws {
        try await TemporaryDatabase.with { database in
            let clock = ClockForTests()
            do {
                let auth = try makeAuth(database, clock: clock)
                _ = await auth.register(email: email, password: "pw")
                auth.shutdown()
            }
            // As the seed's service writes a session: a raw uuid4 alone, no creation time.
            try RawSQLite(path: database.path).execute(
                "UPDATE users SET session_id = '0b5c9a3e-1111-4222-8333-444455556666' WHERE email = '\(email)'")

            let auth = try makeAuth(database, clock: clock)
            defer { auth.shutdown() }
            clock.advance(seconds: 59)
            #expect(await auth.user(forSession: "0b5c9a3e-1111-4222-8333-444455556666").value?.email == email)
            clock.advance(seconds: 1)
            #expect(await auth.user(forSession: "0b5c9a3e-1111-4222-8333-444455556666").failure == .sessionExpired)
        }
    }
}
