import Dispatch
import Synchronization
import Testing

@testable import AuthService

/// The reads of one store batch share a read transaction: that must never make them see less than
/// one statement each would (every write acknowledged before a read was submitted is visible to it).
@Suite struct SQLiteReadTransactionTests {
    /// Emails found by concurrent lookups, in completion order.
    private final class Found: Sendable {
        private let emails = Mutex<[String?]>([])
        func add(_ result: Result<User?, StoreError>) { emails.withLock { $0.append((try? result.get())??.email) } }
        var all: [String?] { emails.withLock { $0 } }
    }

    /// Submits `count` lookups of `session` from the store thread, inside a completion, so that they
    /// queue behind it and run as one batch; waits for all of them.
    private func lookUpTogether(_ store: SQLiteUserStore, session: String, count: Int) -> [String?] {
        let found = Found()
        let done = DispatchGroup()
        done.enter()
        store.findUser(email: "first@b.c") { _ in
            for _ in 0..<count {
                done.enter()
                store.findUser(sessionID: SecretKey(stored: session)) {
                    found.add($0)
                    done.leave()
                }
            }
            done.leave()
        }
        done.wait()
        return found.all
    }

    @Test func readsBatchedAfterAnAcknowledgedWriteSeeIt() async throws {
        try await TemporaryDatabase.with { database in
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            let user = try await store.addUser(email: "a@b.c", hashedPassword: TestVectors.hash2b).get()
            let found = Found()
            let done = DispatchGroup()
            done.enter()
            // Submitted by the write's completion, after its COMMIT: the reads wait behind it and run
            // together in the next batch.
            store.startSession(userID: user.id, sessionID: "s-1", createdAt: 1) { started in
                #expect((try? started.get()) == true)
                for _ in 0..<3 {
                    done.enter()
                    store.findUser(sessionID: SecretKey(stored: "s-1")) {
                        found.add($0)
                        done.leave()
                    }
                }
                done.leave()
            }
            done.wait()
            #expect(found.all == ["a@b.c", "a@b.c", "a@b.c"])
        }
    }

    @Test func aBatchOfReadsSeesWhatAnotherProcessCommittedAfterTheBatchBefore() async throws {
        try await TemporaryDatabase.with { database in
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            let user = try await store.addUser(email: "a@b.c", hashedPassword: TestVectors.hash2b).get()
            _ = try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 1).get()
            #expect(lookUpTogether(store, session: "s-1", count: 3) == ["a@b.c", "a@b.c", "a@b.c"])
            // An admin command or the seed's service, on its own connection, between two batches: the
            // session's row gone, and the seed's column naming one of its own.
            try RawSQLite(path: database.path).execute(
                "UPDATE users SET session_id = 's-2'; DELETE FROM authd_sessions")
            #expect(lookUpTogether(store, session: "s-2", count: 3) == ["a@b.c", "a@b.c", "a@b.c"])
            #expect(lookUpTogether(store, session: "s-1", count: 2) == [nil, nil])
        }
    }
}
