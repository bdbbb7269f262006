import Dispatch
import Testing
@testable import AuthService

@Suite struct StoreQueueTests {
    @Test func jobsRunInSubmissionOrderAndEachGetsItsOwnResult() async throws {
        try await TemporaryDatabase.with { database in
            let queue = try StoreQueue(store: UserStore(path: database.path))
            let done = DispatchGroup()
            let duplicates = Counter()
            let created = Counter()
            // Submitted in one burst, so the writes are grouped; the duplicate fails alone.
            for email in ["a@b.c", "b@b.c", "a@b.c", "c@b.c"] {
                done.enter()
                #expect(queue.submit(.write, { try $0.add(email: email, hashedPassword: "h") }) { result in
                    switch result {
                    case .success: created.increment()
                    case .failure(.duplicateEmail): duplicates.increment()
                    case .failure: break
                    }
                    done.leave()
                })
            }
            let found = await withCheckedContinuation { continuation in
                _ = queue.submit(.read, { try $0.findUser(where: [(.email, "c@b.c")]) }) { continuation.resume(returning: $0) }
            }
            done.wait()
            #expect(created.value == 3 && duplicates.value == 1)
            #expect(try found.get()?.id == 3)
            queue.shutdown()
        }
    }

    @Test func manyWritersAreAllCommitted() async throws {
        try await TemporaryDatabase.with { database in
            let queue = try StoreQueue(store: UserStore(path: database.path))
            let committed = Counter()
            DispatchQueue.concurrentPerform(iterations: 200) { index in
                _ = queue.submit(.write, { try $0.add(email: "user\(index)@b.c", hashedPassword: "h") }) { result in
                    if case .success = result { committed.increment() }
                }
            }
            queue.shutdown()
            #expect(committed.value == 200)
            #expect(try RawSQLite(path: database.path).value("SELECT count(*) FROM users") == "200")
            #expect(!queue.submit(.read, { _ in 0 }) { _ in })
        }
    }
}
