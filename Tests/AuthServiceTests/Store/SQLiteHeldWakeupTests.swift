import Dispatch
import Foundation
import Synchronization
import Testing

@testable import AuthService

/// `holdWakeups`: what the holding thread submits reaches the store thread when it calls the wake
/// it was given (a reactor: once per cycle), all of it, in order; other threads are not held.
@Suite struct SQLiteHeldWakeupTests {
    /// What a thread of the test's own saw: a reactor's thread never changes, unlike a task's.
    private final class Outcome: Sendable {
        let holders = Mutex<[String?]>([])
        let latencies = Mutex<[Duration]>([])
    }

    @Test func theHoldingThreadsLookupsAreAllAnsweredSoonAfterItWakesTheStore() async throws {
        try await TemporaryDatabase.with { database in
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            let user = try await store.addUser(email: "a@b.c", hashedPassword: TestVectors.hash2b).get()
            _ = try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 1).get()
            let outcome = Outcome()
            OwnThread.run {
                guard let wake = store.holdWakeups() else { return }
                for _ in 0..<5 {
                    let answered = DispatchGroup()
                    for _ in 0..<50 {
                        answered.enter()
                        store.findSession(SecretKey(stored: "s-1")) { found in
                            outcome.holders.withLock { $0.append((try? found.get())??.email) }
                            answered.leave()
                        }
                    }
                    let woken = ContinuousClock.now
                    wake()
                    // Generous: without the wake, the store thread would run them anyway at its
                    // next housekeeping turn (every 2 s); the latency below tells the two apart.
                    _ = answered.wait(timeout: .now() + 10)
                    outcome.latencies.withLock { $0.append(ContinuousClock.now - woken) }
                }
            }
            #expect(outcome.holders.withLock { $0 } == Array(repeating: "a@b.c", count: 250))
            let latencies = outcome.latencies.withLock { $0 }.sorted()
            try #require(latencies.count == 5)
            // An eighth of the housekeeping period: a lost wake-up would leave each round waiting
            // a uniform 0–2 s, and three rounds of five all below this by chance is about 2 %.
            #expect(latencies[2] < .milliseconds(250), "\(latencies)")
        }
    }

    @Test func anotherThreadsSubmissionsAreNotHeld() async throws {
        try await TemporaryDatabase.with { database in
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            let outcome = Outcome()
            let finish = OwnThread.lingering { _ = store.holdWakeups() }
            defer { finish() }
            // Timed on a thread of its own, from the submission to the completion on the store
            // thread: an await would also time the test pool, which other suites' waits can starve.
            OwnThread.run {
                for _ in 0..<5 {
                    let answered = DispatchSemaphore(value: 0)
                    let submitted = ContinuousClock.now
                    store.findUser(email: "nobody@b.c") { _ in answered.signal() }
                    _ = answered.wait(timeout: .now() + 10)
                    outcome.latencies.withLock { $0.append(ContinuousClock.now - submitted) }
                }
            }
            let latencies = outcome.latencies.withLock { $0 }.sorted()
            try #require(latencies.count == 5)
            #expect(latencies[2] < .milliseconds(250), "\(latencies)")
        }
    }
}
