import Dispatch
import Synchronization
import Testing

@testable import AuthService

/// What only the SQLite store promises: the seed's file format both ways, schema upgrades in
/// place, group commit, and a failed transaction that applies nothing.
@Suite struct SQLiteUserStoreTests {
    private let hash = TestVectors.hash2b

    @Test func createsTheSeedTableAndIndexes() async throws {
        try await TemporaryDatabase.with { database in
            try SQLiteUserStore(path: database.path).close()
            let raw = try RawSQLite(path: database.path)
            let columns = try raw.rows("PRAGMA table_info(users)").map { $0[1] ?? "" }
            #expect(
                columns == [
                    "id", "email", "hashed_password", "session_id", "reset_token",
                    "authd_session_created_ms", "authd_reset_token_created_ms",
                ])
            let indexes = Set(try raw.rows("SELECT name FROM sqlite_master WHERE type = 'index'").compactMap { $0[0] })
            #expect(
                indexes.isSuperset(of: [
                    "authd_users_email_unique", "authd_users_session_id", "authd_users_reset_token",
                ]))
            #expect(try raw.value("PRAGMA journal_mode") == "wal")
        }
    }

    @Test func seedTableGainsTheLifetimeColumnsAndStillTakesSeedInserts() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            try raw.execute("INSERT INTO users (email, hashed_password, session_id) VALUES ('old@b.c', 'h', 's-old')")
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            let old = try #require(try await store.findUser(sessionID: "s-old").get())
            #expect(old.email == "old@b.c" && old.sessionCreatedAt == nil)
            _ = try await store.startSession(userID: old.id, sessionID: "s-new", createdAt: 1234).get()
            #expect(try raw.value("SELECT authd_session_created_ms FROM users WHERE id = \(old.id)") == "1234")
            #expect(
                try raw.value("SELECT typeof(authd_session_created_ms) FROM users WHERE id = \(old.id)") == "integer")
            // What the seed's SQLAlchemy model inserts: only its own columns.
            try raw.execute(
                "INSERT INTO users (id, email, hashed_password, session_id, reset_token) VALUES (7, 'n@b.c', 'h', NULL, NULL)"
            )
            #expect(try await store.findUser(email: "n@b.c").get()?.id == 7)
        }
    }

    @Test func reopeningKeepsTheData() async throws {
        try await TemporaryDatabase.with { database in
            do {
                let store = try SQLiteUserStore(path: database.path)
                _ = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
                store.close()
            }
            let reopened = try SQLiteUserStore(path: database.path)
            defer { reopened.close() }
            #expect(try await reopened.findUser(email: "a@b.c").get()?.hashedPassword == hash)
        }
    }

    @Test func readsHashesStoredAsBlobOrText() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            try raw.execute("INSERT INTO users (email, hashed_password) VALUES ('blob@b.c', \(blobLiteral(hash)))")
            try raw.execute("INSERT INTO users (email, hashed_password) VALUES ('text@b.c', '\(hash)')")
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            #expect(try await store.findUser(email: "blob@b.c").get()?.hashedPassword == hash)
            #expect(try await store.findUser(email: "text@b.c").get()?.hashedPassword == hash)
        }
    }

    @Test func writesHashesAsBlobs() async throws {
        try await TemporaryDatabase.with { database in
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            _ = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let raw = try RawSQLite(path: database.path)
            #expect(try raw.value("SELECT typeof(hashed_password) FROM users") == "blob")
            _ = try await store.issueResetToken(email: "a@b.c", token: "t", createdAt: 1).get()
            _ = try await store.consumeResetToken("t", email: "a@b.c", newHashedPassword: TestVectors.hash2a).get()
            #expect(try raw.value("SELECT typeof(hashed_password) FROM users") == "blob")
            #expect(try raw.value("SELECT CAST(hashed_password AS TEXT) FROM users") == TestVectors.hash2a)
        }
    }

    @Test func existingDuplicateEmailsStillOpenAndNewDuplicatesAreRefused() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            try raw.execute("INSERT INTO users (email, hashed_password) VALUES ('a@b.c', 'h1'), ('a@b.c', 'h2')")
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            #expect(try raw.value("SELECT count(*) FROM sqlite_master WHERE name = 'authd_users_email_unique'") == "0")
            #expect(await store.addUser(email: "a@b.c", hashedPassword: hash).failure == .duplicateEmail)
            #expect(try await store.addUser(email: "new@b.c", hashedPassword: hash).get().id == 3)
            #expect(await store.addUser(email: "new@b.c", hashedPassword: hash).failure == .duplicateEmail)
            // The oldest row of a duplicated email is the one found, as the seed's `first()` does.
            #expect(try await store.findUser(email: "a@b.c").get()?.hashedPassword == "h1")
        }
    }

    @Test func aSeedFileWithEmailsDifferingOnlyByCaseOpensAndKeepsThemAsTheyAre() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            try raw.execute(
                "INSERT INTO users (email, hashed_password) VALUES ('Dup@x.test', 'h1'), ('dup@x.test', 'h2')")
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            let indexes = Set(try raw.rows("SELECT name FROM sqlite_master WHERE type = 'index'").compactMap { $0[0] })
            #expect(indexes.isSuperset(of: ["authd_users_email_unique", "authd_users_email_nocase"]))
            #expect(
                await store.addUser(email: "DUP@x.test", hashedPassword: hash, unique: .ignoringCase).failure
                    == .duplicateEmail)
            #expect(
                try raw.rows("SELECT email, hashed_password FROM users ORDER BY id") == [
                    ["Dup@x.test", "h1"], ["dup@x.test", "h2"],
                ])
        }
    }

    @Test func lookupsIgnoringCaseUseTheNocaseIndex() async throws {
        try await TemporaryDatabase.with { database in
            try SQLiteUserStore(path: database.path).close()
            let plan = try RawSQLite(path: database.path).rows(
                "EXPLAIN QUERY PLAN SELECT id FROM users WHERE email = 'a@b.c' COLLATE NOCASE ORDER BY id LIMIT 2")
            #expect(plan.contains { $0.last??.contains("authd_users_email_nocase") == true }, "\(plan)")
        }
    }

    @Test func anUpgradedHashReplacesATextOrBlobHashAndIsStoredAsABlob() async throws {
        try await TemporaryDatabase.with { database in
            let raw = try RawSQLite(path: database.path)
            try raw.execute(seedSchema)
            try raw.execute("INSERT INTO users (email, hashed_password) VALUES ('text@b.c', '\(hash)')")
            try raw.execute("INSERT INTO users (email, hashed_password) VALUES ('blob@b.c', \(blobLiteral(hash)))")
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            for id in [1, 2] as [Int64] {
                #expect(try await store.replacePasswordHash(userID: id, from: hash, to: TestVectors.hash2a).get())
                #expect(try raw.value("SELECT typeof(hashed_password) FROM users WHERE id = \(id)") == "blob")
                #expect(
                    try raw.value("SELECT CAST(hashed_password AS TEXT) FROM users WHERE id = \(id)")
                        == TestVectors.hash2a)
            }
        }
    }

    @Test func fileThatIsNotADatabaseCannotBeOpened() async throws {
        try await TemporaryDatabase.with { database in
            try String(repeating: "not sqlite ", count: 100).write(
                toFile: database.path, atomically: true, encoding: .utf8)
            #expect {
                try SQLiteUserStore(path: database.path)
            } throws: { error in
                guard case let .cannotOpen(path, reason) = error as? StoreError else { return false }
                return path == database.path && reason.contains("not a database")
            }
        }
    }

    @Test func missingDirectoryCannotBeOpened() async throws {
        try await TemporaryDatabase.with { database in
            let path = database.directory.appendingPathComponent("missing/users.db").path
            #expect {
                try SQLiteUserStore(path: path)
            } throws: { error in
                guard case let .cannotOpen(failedPath, _) = error as? StoreError else { return false }
                return failedPath == path
            }
        }
    }

    @Test func manyConcurrentWritersAreAllCommittedAndDuplicatesFailAlone() async throws {
        try await TemporaryDatabase.with { database in
            let store = try SQLiteUserStore(path: database.path)
            let committed = Counter()
            let duplicates = Counter()
            // Submitted together, so the writes share transactions; each duplicate fails alone.
            DispatchQueue.concurrentPerform(iterations: 200) { index in
                store.addUser(email: "user\(index % 150)@b.c", hashedPassword: "h") { result in
                    switch result {
                    case .success: committed.increment()
                    case .failure(.duplicateEmail): duplicates.increment()
                    case .failure: break
                    }
                }
            }
            store.close()
            #expect(committed.value == 150 && duplicates.value == 50)
            #expect(try RawSQLite(path: database.path).value("SELECT count(*) FROM users") == "150")
        }
    }

    @Test func aWriteThatCannotBeginItsTransactionIsNotAppliedAndReadsStillAnswer() async throws {
        try await TemporaryDatabase.with { database in
            let store = try SQLiteUserStore(path: database.path, busyTimeoutMilliseconds: 100)
            defer { store.close() }
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.issueResetToken(email: "a@b.c", token: "t-1", createdAt: 1).get()
            // Another process holds the write lock past the busy timeout.
            let other = try RawSQLite(path: database.path)
            try other.execute("BEGIN IMMEDIATE")
            let done = DispatchGroup()
            let outcomes = OutcomeLog()
            done.enter()
            store.addUser(email: "new@b.c", hashedPassword: hash) {
                outcomes.add("add", $0.failure)
                done.leave()
            }
            done.enter()
            store.consumeResetToken(
                SecretKey(stored: "t-1"), email: "a@b.c", newHashedPassword: TestVectors.hash2a, endingSessions: true
            ) {
                outcomes.add("consume", $0.failure)
                done.leave()
            }
            done.enter()
            store.startSession(userID: user.id, sessionID: "s-1", createdAt: 1) {
                outcomes.add("session", $0.failure)
                done.leave()
            }
            done.enter()
            store.findUser(email: "a@b.c") {
                outcomes.add("find", $0.failure)
                done.leave()
            }
            done.wait()
            try other.execute("ROLLBACK")
            #expect(outcomes.all == ["add": .busy, "consume": .busy, "session": .busy, "find": nil])
            // Nothing of the refused writes was applied.
            #expect(try await store.findUser(email: "new@b.c").get() == nil)
            let after = try #require(try await store.findUser(email: "a@b.c").get())
            #expect(after.hashedPassword == hash && after.resetToken == "t-1" && after.sessionID == nil)
        }
    }

    // MARK: the reset-mail outbox

    @Test func theOutboxSurvivesAReopenAndItsTokenLeavesTheFileWithTheMail() async throws {
        try await TemporaryDatabase.with { database in
            let token = "5d1e7f7e-0a4b-4c38-9a53-77f1c2b0d6aa"
            var store = try SQLiteUserStore(path: database.path)
            _ = try await store.addUser(email: "bob@b.c", hashedPassword: TestVectors.hash2b).get()
            let mail = try #require(try await store.issueResetTokenByMail(.test("bob@b.c", token: token)).get())
            store.close()
            store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            #expect(try await store.pendingResetMails(dueAt: nil).get().due == [mail])
            #expect(try await store.removeResetMail(id: mail.id).get())
            let raw = try RawSQLite(path: database.path)
            #expect(try raw.value("SELECT count(*) FROM authd_outbox") == "0")
            // Nowhere in the database any more: only its stored form on the user row.
            let everything = try raw.rows("SELECT * FROM users").flatMap { $0 }.compactMap { $0 }
            #expect(!everything.contains(token) && everything.contains("stored-\(token)"))
        }
    }

    @Test func aResetByMailForAnUnknownEmailCommitsAWriteAsAKnownOneDoes() async throws {
        try await TemporaryDatabase.with { database in
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            _ = try await store.addUser(email: "bob@b.c", hashedPassword: TestVectors.hash2b).get()
            let raw = try RawSQLite(path: database.path)
            _ = try await store.issueResetTokenByMail(.test("bob@b.c", at: 1_111)).get()
            #expect(try raw.value("SELECT requested_ms FROM authd_reset_requests") == "1111")
            _ = try await store.issueResetTokenByMail(.test("nobody@b.c", at: 2_222)).get()
            #expect(try raw.value("SELECT requested_ms FROM authd_reset_requests") == "2222")
            #expect(try raw.value("SELECT count(*) FROM authd_reset_requests") == "1")
        }
    }
}

/// Each named operation's failure (nil for success), gathered from store threads.
final class OutcomeLog: Sendable {
    private let outcomes = Mutex<[String: StoreError?]>([:])

    func add(_ name: String, _ failure: StoreError?) {
        outcomes.withLock { $0[name] = .some(failure) }
    }

    var all: [String: StoreError?] { outcomes.withLock { $0 } }
}
