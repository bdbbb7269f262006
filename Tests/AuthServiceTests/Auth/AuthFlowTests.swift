import Testing

@testable import AuthService

/// The seed's own end-to-end flow and each operation's success and error cases (API.md).
@Suite struct AuthFlowTests {
    private let email = "guillaume@holberton.io"
    private let password = "b4l0u"
    private let newPassword = "t4rt1fl3tt3"

    @Test func seedIntegrationFlowPasses() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }

            let registered = try #require(await auth.register(email: email, password: password).value)
            #expect(registered.email == email)
            #expect(await auth.login(email: email, password: newPassword).failure == .invalidCredentials)
            #expect(await auth.user(forSession: nil).failure == .unknownSession)
            let session = try #require(await auth.login(email: email, password: password).value)
            #expect(session.user.sessionID == SecretDigest.sha256Hex(session.sessionID))
            #expect(await auth.user(forSession: session.sessionID).value?.email == email)
            let loggedOut = try #require(await auth.logout(sessionID: session.sessionID).value)
            #expect(loggedOut.email == email && loggedOut.sessionID == nil)
            #expect(await auth.user(forSession: session.sessionID).failure == .unknownSession)
            let token = try #require(await auth.resetToken(email: email).value)
            let updated = try #require(
                await auth.updatePassword(email: email, resetToken: token, newPassword: newPassword).value)
            #expect(updated.resetToken == nil && updated.hashedPassword.hasPrefix("$2b$04$"))
            #expect(await auth.login(email: email, password: newPassword).value?.user.email == email)
            #expect(await auth.login(email: email, password: password).failure == .invalidCredentials)
        }
    }

    @Test func registeringATakenEmailFails() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            #expect(await auth.register(email: email, password: password).value != nil)
            #expect(await auth.register(email: email, password: "other").failure == .emailAlreadyRegistered)
        }
    }

    @Test func passwordsOver72BytesAreRefused() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            let long = String(repeating: "p", count: 73)
            #expect(await auth.register(email: email, password: long).failure == .passwordTooLong)
            #expect(await auth.register(email: email, password: String(repeating: "p", count: 72)).value != nil)
            #expect(await auth.login(email: email, password: long).failure == .invalidCredentials)
            let token = try #require(await auth.resetToken(email: email).value)
            #expect(
                await auth.updatePassword(email: email, resetToken: token, newPassword: long).failure
                    == .passwordTooLong)
        }
    }

    @Test func loginWithAnUnknownEmailFails() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            #expect(await auth.login(email: "nobody@b.c", password: password).failure == .invalidCredentials)
        }
    }

    @Test func loginWithAnUnknownEmailStillPaysOneBcryptRun() async throws {
        try await TemporaryDatabase.with { database in
            // Cost 12 takes about 240 ms here; a lookup alone takes well under 10 ms. Noise only adds time.
            let auth = try Auth(configuration: testConfiguration(database, cost: 12))
            defer { auth.shutdown() }
            let elapsed = await ContinuousClock().measure {
                #expect(await auth.login(email: "nobody@b.c", password: password).failure == .invalidCredentials)
            }
            #expect(elapsed > .milliseconds(80))
        }
    }

    @Test func twoLoginsGiveDifferentIDsAndTheOlderStopsWorking() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            _ = await auth.register(email: email, password: password)
            let first = try #require(await auth.login(email: email, password: password).value?.sessionID)
            let second = try #require(await auth.login(email: email, password: password).value?.sessionID)
            #expect(first != second)
            #expect(await auth.user(forSession: first).failure == .unknownSession)
            #expect(await auth.user(forSession: second).value?.email == email)
            #expect(await auth.logout(sessionID: first).failure == .unknownSession)
        }
    }

    @Test func sessionIDsAndTokensAreLowerCaseUUID4s() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            _ = await auth.register(email: email, password: password)
            let session = try #require(await auth.login(email: email, password: password).value?.sessionID)
            let token = try #require(await auth.resetToken(email: email).value)
            for id in [session, token] {
                #expect(id.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)
            }
        }
    }

    @Test func resetTokenForAnUnknownEmailFails() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            #expect(await auth.resetToken(email: "nobody@b.c").failure == .unknownEmail)
        }
    }

    @Test func resetTokenIsSingleUse() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            _ = await auth.register(email: email, password: password)
            let token = try #require(await auth.resetToken(email: email).value)
            #expect(await auth.updatePassword(email: email, resetToken: token, newPassword: newPassword).value != nil)
            #expect(
                await auth.updatePassword(email: email, resetToken: token, newPassword: "third").failure
                    == .invalidResetToken)
            #expect(await auth.login(email: email, password: newPassword).value != nil)
        }
    }

    @Test func resetTokenWithAnotherUsersEmailIsRefused() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            _ = await auth.register(email: email, password: password)
            _ = await auth.register(email: "victim@b.c", password: "victim")
            let token = try #require(await auth.resetToken(email: email).value)
            #expect(
                await auth.updatePassword(email: "victim@b.c", resetToken: token, newPassword: "owned").failure
                    == .invalidResetToken)
            #expect(
                await auth.updatePassword(email: "nobody@b.c", resetToken: token, newPassword: "owned").failure
                    == .invalidResetToken)
            #expect(await auth.login(email: "victim@b.c", password: "victim").value != nil)
            // The refused attempts did not consume the owner's token.
            #expect(await auth.updatePassword(email: email, resetToken: token, newPassword: newPassword).value != nil)
        }
    }

    @Test func emptyOrMissingSessionAndTokenNeverMatchUsersWithNullColumns() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            _ = await auth.register(email: email, password: password)
            let raw = try RawSQLite(path: database.path)
            // One user with NULL columns and one with empty strings: neither may match.
            try raw.execute(
                "INSERT INTO users (email, hashed_password, session_id, reset_token) VALUES ('empty@b.c', 'h', '', '')")
            for id: String? in [nil, ""] {
                #expect(await auth.user(forSession: id).failure == .unknownSession)
                #expect(await auth.logout(sessionID: id).failure == .unknownSession)
                #expect(
                    await auth.updatePassword(email: email, resetToken: id, newPassword: "x").failure
                        == .invalidResetToken)
                #expect(
                    await auth.updatePassword(email: "empty@b.c", resetToken: id, newPassword: "x").failure
                        == .invalidResetToken)
            }
            #expect(await auth.login(email: email, password: password).value != nil)
        }
    }

    @Test func unknownSessionAndTokenAreRefused() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            _ = await auth.register(email: email, password: password)
            let stranger = UUID4.make()
            #expect(await auth.user(forSession: stranger).failure == .unknownSession)
            #expect(await auth.logout(sessionID: stranger).failure == .unknownSession)
            #expect(
                await auth.updatePassword(email: email, resetToken: stranger, newPassword: "x").failure
                    == .invalidResetToken)
        }
    }
}
