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

    @Test func aSeedShapedUUIDNeedsEveryDigitLowerCaseHexAndEveryDashInPlace() {
        let valid = Array("0b5c9a3e-1f2d-4a6b-8c7e-9d0f1a2b3c4d".utf8)
        #expect(SecretDigest.looksLikeSeedSecret(String(decoding: valid, as: UTF8.self)))
        let dashes: Set = [8, 13, 18, 23]
        for position in valid.indices {
            // Just outside each range the check tests, an upper-case letter, a dash.
            let wrong: [UInt8] =
                dashes.contains(position) ? [0x30, 0x61, 0x2C, 0x2E] : [0x2F, 0x3A, 0x60, 0x67, 0x41, 0x46, 0x2D]
            for byte in wrong {
                var changed = valid
                changed[position] = byte
                let text = String(decoding: changed, as: UTF8.self)
                #expect(!SecretDigest.looksLikeSeedSecret(text), "byte \(byte) at \(position)")
            }
        }
        // Non-ASCII of the same length: `é` is two bytes with their high bits set.
        for position in [0, 10, 15, 20, 30, 34] {
            var changed = valid
            changed[position] = 0xC3
            changed[position + 1] = 0xA9
            #expect(!SecretDigest.looksLikeSeedSecret(String(decoding: changed, as: UTF8.self)), "é at \(position)")
        }
        for digit in Array("0123456789abcdef".utf8) {
            var changed = valid
            changed[35] = digit
            changed[9] = digit
            #expect(SecretDigest.looksLikeSeedSecret(String(decoding: changed, as: UTF8.self)))
        }
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
