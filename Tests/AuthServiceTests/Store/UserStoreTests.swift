import Testing
@testable import AuthService

@Suite struct UserStoreTests {
    private let hash = TestVectors.hash2b

    @Test func createsTheSeedTableAndIndexes() async throws {
        try await TemporaryDatabase.with { database in
            _ = try UserStore(path: database.path)
            let raw = try RawSQLite(path: database.path)
            let columns = try raw.rows("PRAGMA table_info(users)").map { $0[1] ?? "" }
            #expect(columns == [
                "id", "email", "hashed_password", "session_id", "reset_token",
                "authd_session_created_ms", "authd_reset_token_created_ms",
            ])
            let indexes = Set(try raw.rows("SELECT name FROM sqlite_master WHERE type = 'index'").compactMap { $0[0] })
            #expect(indexes.isSuperset(of: ["authd_users_email_unique", "authd_users_session_id", "authd_users_reset_token"]))
            #expect(try raw.value("PRAGMA journal_mode") == "wal")
        }
    }

    @Test func seedTableGainsTheLifetimeColumnsAndStillTakesSeedInserts() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute("""
                CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR(250) NOT NULL, \
                hashed_password VARCHAR(250) NOT NULL, session_id VARCHAR(250), reset_token VARCHAR(250), PRIMARY KEY (id))
                """)
            try raw.execute("INSERT INTO users (email, hashed_password, session_id) VALUES ('old@b.c', 'h', 's-old')")
            let store = try UserStore(path: database.path)
            let old = try #require(try store.findUser(where: [(.sessionID, "s-old")]))
            #expect(old.email == "old@b.c" && old.sessionCreatedAt == nil)
            try store.updateUser(id: old.id, set: [(.sessionCreatedAt, "1234")])
            #expect(try store.findUser(where: [(.id, "\(old.id)")])?.sessionCreatedAt == 1234)
            // What the seed's SQLAlchemy model inserts: only its own columns.
            try raw.execute("INSERT INTO users (id, email, hashed_password, session_id, reset_token) VALUES (7, 'n@b.c', 'h', NULL, NULL)")
            #expect(try store.findUser(where: [(.email, "n@b.c")])?.id == 7)
        }
    }

    @Test func addReturnsTheUserWithItsNewID() async throws {
        try await TemporaryDatabase.with { database in
            let store = try UserStore(path: database.path)
            let first = try store.add(email: "a@b.c", hashedPassword: hash)
            let second = try store.add(email: "d@e.f", hashedPassword: hash)
            #expect(first == User(id: 1, email: "a@b.c", hashedPassword: hash))
            #expect(second.id == 2)
        }
    }

    @Test func findsByEachColumnAndBySeveral() async throws {
        try await TemporaryDatabase.with { database in
            let store = try UserStore(path: database.path)
            let user = try store.add(email: "a@b.c", hashedPassword: hash)
            _ = try store.add(email: "other@b.c", hashedPassword: TestVectors.hash2a)
            try store.updateUser(id: user.id, set: [(column: "session_id", value: "s-1"), (column: "reset_token", value: "t-1")])
            let stored = User(id: user.id, email: "a@b.c", hashedPassword: hash, sessionID: "s-1", resetToken: "t-1")

            #expect(try store.findUser(by: [(column: "id", value: "\(user.id)")]) == stored)
            #expect(try store.findUser(by: [(column: "email", value: "a@b.c")]) == stored)
            #expect(try store.findUser(by: [(column: "hashed_password", value: hash)]) == stored)
            #expect(try store.findUser(by: [(column: "session_id", value: "s-1")]) == stored)
            #expect(try store.findUser(by: [(column: "reset_token", value: "t-1")]) == stored)
            #expect(try store.findUser(by: [(column: "reset_token", value: "t-1"), (column: "email", value: "a@b.c")]) == stored)
            #expect(try store.findUser(by: [(column: "reset_token", value: "t-1"), (column: "email", value: "other@b.c")]) == nil)
            #expect(try store.findUser(by: [(column: "email", value: "nobody@b.c")]) == nil)
        }
    }

    @Test func unknownColumnInALookupIsATypedError() async throws {
        try await TemporaryDatabase.with { database in
            let store = try UserStore(path: database.path)
            #expect(throws: UserStoreError.unknownColumn("password")) {
                try store.findUser(by: [(column: "password", value: "x")])
            }
            #expect(throws: UserStoreError.unknownColumn("email; DROP TABLE users")) {
                try store.findUser(by: [(column: "email; DROP TABLE users", value: "x")])
            }
            #expect(throws: UserStoreError.invalidColumnSet) { try store.findUser(by: []) }
        }
    }

    @Test func updateChangesOnlyTheNamedUserAndColumns() async throws {
        try await TemporaryDatabase.with { database in
            let store = try UserStore(path: database.path)
            let user = try store.add(email: "a@b.c", hashedPassword: hash)
            let other = try store.add(email: "d@e.f", hashedPassword: hash)
            try store.updateUser(id: user.id, set: [(column: "session_id", value: "s-1")])
            #expect(try store.findUser(where: [(.id, "\(user.id)")])?.sessionID == "s-1")
            #expect(try store.findUser(where: [(.id, "\(other.id)")])?.sessionID == nil)
            try store.updateUser(id: user.id, set: [(column: "session_id", value: nil)])
            #expect(try store.findUser(where: [(.id, "\(user.id)")])?.sessionID == nil)
        }
    }

    @Test func unknownOrImmutableColumnInAnUpdateIsATypedError() async throws {
        try await TemporaryDatabase.with { database in
            let store = try UserStore(path: database.path)
            let user = try store.add(email: "a@b.c", hashedPassword: hash)
            #expect(throws: UserStoreError.unknownColumn("admin")) {
                try store.updateUser(id: user.id, set: [(column: "admin", value: "1")])
            }
            #expect(throws: UserStoreError.notUpdatable("id")) {
                try store.updateUser(id: user.id, set: [(column: "id", value: "9")])
            }
        }
    }

    @Test func reopeningKeepsTheData() async throws {
        try await TemporaryDatabase.with { database in
            do {
                let store = try UserStore(path: database.path)
                _ = try store.add(email: "a@b.c", hashedPassword: hash)
                store.close()
            }
            let reopened = try UserStore(path: database.path)
            #expect(try reopened.findUser(where: [(.email, "a@b.c")])?.hashedPassword == hash)
        }
    }

    @Test func readsHashesStoredAsBlobOrText() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            try raw.execute("INSERT INTO users (email, hashed_password) VALUES ('blob@b.c', \(blobLiteral(hash)))")
            try raw.execute("INSERT INTO users (email, hashed_password) VALUES ('text@b.c', '\(hash)')")
            let store = try UserStore(path: database.path)
            #expect(try store.findUser(where: [(.email, "blob@b.c")])?.hashedPassword == hash)
            #expect(try store.findUser(where: [(.email, "text@b.c")])?.hashedPassword == hash)
        }
    }

    @Test func writesHashesAsBlobs() async throws {
        try await TemporaryDatabase.with { database in
            let store = try UserStore(path: database.path)
            let user = try store.add(email: "a@b.c", hashedPassword: hash)
            let raw = try RawSQLite(path: database.path)
            #expect(try raw.value("SELECT typeof(hashed_password) FROM users") == "blob")
            try store.updateUser(id: user.id, set: [(.hashedPassword, TestVectors.hash2a)])
            #expect(try raw.value("SELECT typeof(hashed_password) FROM users") == "blob")
            #expect(try raw.value("SELECT CAST(hashed_password AS TEXT) FROM users") == TestVectors.hash2a)
        }
    }

    @Test func duplicateEmailIsRefused() async throws {
        try await TemporaryDatabase.with { database in
            let store = try UserStore(path: database.path)
            _ = try store.add(email: "a@b.c", hashedPassword: hash)
            #expect(throws: UserStoreError.duplicateEmail) { try store.add(email: "a@b.c", hashedPassword: hash) }
            // Compared as stored: the seed does not normalise case.
            #expect(try store.add(email: "A@b.c", hashedPassword: hash).id == 2)
        }
    }

    @Test func existingDuplicateEmailsStillOpenAndNewDuplicatesAreRefused() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            try raw.execute("INSERT INTO users (email, hashed_password) VALUES ('a@b.c', 'h1'), ('a@b.c', 'h2')")
            let store = try UserStore(path: database.path)
            #expect(!store.hasUniqueEmailIndex)
            #expect(throws: UserStoreError.duplicateEmail) { try store.add(email: "a@b.c", hashedPassword: hash) }
            #expect(try store.add(email: "new@b.c", hashedPassword: hash).id == 3)
            #expect(throws: UserStoreError.duplicateEmail) { try store.add(email: "new@b.c", hashedPassword: hash) }
        }
    }

    @Test func fileThatIsNotADatabaseCannotBeOpened() async throws {
        try await TemporaryDatabase.with { database in
            try String(repeating: "not sqlite ", count: 100).write(toFile: database.path, atomically: true, encoding: .utf8)
            #expect {
                try UserStore(path: database.path)
            } throws: { error in
                guard case let .cannotOpen(path, reason) = error as? UserStoreError else { return false }
                return path == database.path && reason.contains("not a database")
            }
        }
    }

    @Test func missingDirectoryCannotBeOpened() async throws {
        try await TemporaryDatabase.with { database in
            let path = database.directory.appendingPathComponent("missing/users.db").path
            #expect {
                try UserStore(path: path)
            } throws: { error in
                guard case let .cannotOpen(failedPath, _) = error as? UserStoreError else { return false }
                return failedPath == path
            }
        }
    }
}
