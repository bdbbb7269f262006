import Testing

@testable import AuthService

/// The seed's service drops and recreates `users` when it starts, on the file authd shares: when
/// authd opens the file, the sessions of the users it wiped end, also those whose id a new user
/// has since been given.
@Suite struct SQLiteSessionPurgeTests {
    @Test func sessionsOfUsersWipedWhileAuthdWasStoppedEndWhenItOpensTheFile() async throws {
        try await TemporaryDatabase.with { database in
            let first = try SQLiteUserStore(path: database.path)
            let user = try await first.addUser(email: "alice@b.c", hashedPassword: TestVectors.hash2b).get()
            #expect(try await first.startSession(userID: user.id, sessionID: "s-alice", createdAt: 1).get())
            first.close()
            try RawSQLite(path: database.path).execute(
                "DELETE FROM users; INSERT INTO users (id, email, hashed_password) VALUES (\(user.id), 'bob@b.c', 'x')")
            let reopened = try SQLiteUserStore(path: database.path)
            defer { reopened.close() }
            #expect(try await reopened.findSession("s-alice").get() == nil)
        }
    }
}
