import Dispatch
import Foundation
import Synchronization
import Testing

@testable import AuthService

/// `holdWakeups` on PostgreSQL: the store thread, connected, waits for a wake-up with no time
/// limit, so a job held and never woken would never run; each case waits ten seconds for its answers.
@Suite struct PostgreSQLHeldWakeupTests {

    @Test func theHoldingThreadsLookupsAreAllAnsweredAfterItWakesTheStore() async throws {
        try await TemporaryPostgreSQL.with { database in
            let store = try PostgreSQLUserStore(location: database.url)
            defer { store.close() }
            let user = try await store.addUser(email: "a@b.c", hashedPassword: TestVectors.hash2b).get()
            _ = try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 1).get()
            let emails = Mutex<[String?]>([])
            let allAnswered = Mutex<[Bool]>([])
            OwnThread.run {
                guard let wake = store.holdWakeups() else { return }
                for _ in 0..<3 {
                    let answered = DispatchGroup()
                    for _ in 0..<40 {
                        answered.enter()
                        store.findSession(SecretKey(stored: "s-1")) { found in
                            emails.withLock { $0.append((try? found.get())??.email) }
                            answered.leave()
                        }
                    }
                    wake()
                    let outcome = answered.wait(timeout: .now() + 10)
                    allAnswered.withLock { $0.append(outcome == .success) }
                }
            }
            #expect(allAnswered.withLock { $0 } == [true, true, true])
            #expect(emails.withLock { $0 } == Array(repeating: "a@b.c", count: 120))
        }
    }

    @Test func anotherThreadsSubmissionsAreNotHeld() async throws {
        try await TemporaryPostgreSQL.with { database in
            let store = try PostgreSQLUserStore(location: database.url)
            defer { store.close() }
            let finish = OwnThread.lingering { _ = store.holdWakeups() }
            defer { finish() }
            let answered = Mutex<[Bool]>([])
            OwnThread.run {
                for _ in 0..<3 {
                    let done = DispatchSemaphore(value: 0)
                    store.findUser(email: "nobody@b.c") { _ in done.signal() }
                    let outcome = done.wait(timeout: .now() + 10)
                    answered.withLock { $0.append(outcome == .success) }
                }
            }
            #expect(answered.withLock { $0 } == [true, true, true])
        }
    }
}
