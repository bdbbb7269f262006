import Testing

@testable import AuthService

/// Session ids and reset tokens are stored as SHA-256 digests: a backup holds no live secret, and
/// a seed-made raw row still works.
@Suite struct SecretsAtRestTests {
    @Test func digestsAreSHA256InLowerCaseHex() {
        #expect(SecretDigest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretDigest.sha256Hex("").count == 64)
    }

    @Test func onlyASeedShapedUUIDMayMatchARawRow() {
        #expect(SecretDigest.looksLikeSeedSecret(UUID4.make()))
        #expect(!SecretDigest.looksLikeSeedSecret(SecretDigest.sha256Hex("x")))
        #expect(!SecretDigest.looksLikeSeedSecret("0B5C9A3E-1111-4222-8333-444455556666"))
        #expect(!SecretDigest.looksLikeSeedSecret("0b5c9a3e-1111-4222-8333-44445555666"))
    }

    private func auth(_ database: TemporaryDatabase, plain: Bool = false) throws -> Auth {
        var configuration = testConfiguration(database)
        configuration.storesPlainTokens = plain
        return try Auth(configuration: configuration)
    }

    @Test func theDatabaseHoldsDigestsAndADigestReadFromItIsNoKey() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try auth(database)
            defer { auth.shutdown() }
            _ = await auth.register(email: "a@b.c", password: "pw")
            let session = try #require(await auth.login(email: "a@b.c", password: "pw").value)
            let token = try #require(await auth.resetToken(email: "a@b.c").value)
            let raw = try RawSQLite(path: database.path)
            let row = try raw.rows("SELECT session_id, reset_token FROM users").first ?? []
            #expect(row == [SecretDigest.sha256Hex(session.sessionID), SecretDigest.sha256Hex(token)])
            // Whoever reads the file cannot use what is in it.
            #expect(await auth.user(forSession: row[0]).failure == .unknownSession)
            #expect(
                await auth.updatePassword(email: "a@b.c", resetToken: row[1], newPassword: "x").failure
                    == .invalidResetToken)
            #expect(await auth.user(forSession: session.sessionID).value?.email == "a@b.c")
            #expect(await auth.updatePassword(email: "a@b.c", resetToken: token, newPassword: "x").value != nil)
        }
    }

    @Test func aSeedMadeRawSessionWorksOnceThenIsReplaced() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try auth(database)
            defer { auth.shutdown() }
            _ = await auth.register(email: "a@b.c", password: "pw")
            let seedSession = "0b5c9a3e-1111-4222-8333-444455556666"
            let raw = try RawSQLite(path: database.path)
            try raw.execute("UPDATE users SET session_id = '\(seedSession)'")
            #expect(await auth.user(forSession: seedSession).value?.email == "a@b.c")
            let fresh = try #require(await auth.login(email: "a@b.c", password: "pw").value)
            #expect(try raw.value("SELECT session_id FROM users") == SecretDigest.sha256Hex(fresh.sessionID))
            #expect(await auth.user(forSession: seedSession).failure == .unknownSession)
        }
    }

    @Test func plainTokensAreStoredAsGivenForASharedSeedFile() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try auth(database, plain: true)
            defer { auth.shutdown() }
            _ = await auth.register(email: "a@b.c", password: "pw")
            let session = try #require(await auth.login(email: "a@b.c", password: "pw").value)
            #expect(try RawSQLite(path: database.path).value("SELECT session_id FROM users") == session.sessionID)
            #expect(await auth.user(forSession: session.sessionID).value?.email == "a@b.c")
        }
    }
}
