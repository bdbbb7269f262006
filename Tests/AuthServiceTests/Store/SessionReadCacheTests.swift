import Dispatch
import Glibc
import Synchronization
import Testing

@testable import AuthService

/// The SQLite store's session cache: when an entry is a hit, and that the store answers from it
/// on the calling thread only until anything commits, in this process or another.
@Suite struct SessionReadCacheTests {
    private static let key = SecretKey(stored: "digest-1")
    private static let holder = SessionHolder(
        userID: 1, email: "a@b.c", sessionCreatedAt: 5, handle: SessionHandle(rawValue: 9), lastSeenAt: 5)
    private static let second: UInt64 = 1_000_000_000

    @Test func anEntryHitsWhileTheEpochAndCommitsStayAndItIsYoungerThanTheMaximumAge() {
        let cache = SessionReadCache(commits: nil)
        #expect(cache.stamp() == nil)
        let queued = cache.stamp(at: 10 * Self.second, commits: 7)
        #expect(cache.holder(for: Self.key, at: queued) == nil)
        cache.fill(Self.key, with: Self.holder, stampedAt: queued)
        #expect(cache.holder(for: Self.key, at: cache.stamp(at: 10 * Self.second, commits: 7)) == Self.holder)
        #expect(cache.holder(for: SecretKey(stored: "digest-2"), at: queued) == nil)
        #expect(cache.holder(for: Self.key, at: cache.stamp(at: 11 * Self.second - 1, commits: 7)) == Self.holder)
        #expect(cache.holder(for: Self.key, at: cache.stamp(at: 11 * Self.second, commits: 7)) == nil)
        // Another process committed.
        #expect(cache.holder(for: Self.key, at: cache.stamp(at: 10 * Self.second, commits: 8)) == nil)
        // This one did.
        cache.invalidate()
        #expect(cache.holder(for: Self.key, at: cache.stamp(at: 10 * Self.second, commits: 7)) == nil)
        // An entry from before the invalidation never hits again, even filled afterwards.
        cache.fill(Self.key, with: Self.holder, stampedAt: queued)
        #expect(cache.holder(for: Self.key, at: cache.stamp(at: 10 * Self.second, commits: 7)) == nil)
    }

    @Test func aFullCacheStartsAfresh() {
        let cache = SessionReadCache(commits: nil, capacity: 3)
        let stamp = cache.stamp(at: 0, commits: 0)
        for index in 0..<3 { cache.fill(SecretKey(stored: "k\(index)"), with: Self.holder, stampedAt: stamp) }
        #expect(cache.count == 3)
        cache.fill(SecretKey(stored: "k0"), with: Self.holder, stampedAt: stamp)
        #expect(cache.count == 3)
        cache.fill(SecretKey(stored: "k3"), with: Self.holder, stampedAt: stamp)
        #expect(cache.count == 1)
        #expect(cache.holder(for: SecretKey(stored: "k3"), at: stamp) == Self.holder)
    }

    /// What a lookup found, and whether its completion ran on the thread that asked.
    private static func lookUp(_ store: SQLiteUserStore, _ key: SecretKey) -> (SessionHolder?, onCaller: Bool) {
        let caller = pthread_self()
        let answer = Mutex<(SessionHolder?, Bool)?>(nil)
        let done = DispatchSemaphore(value: 0)
        store.findSession(key) { result in
            answer.withLock { $0 = ((try? result.get()) ?? nil, pthread_equal(pthread_self(), caller) != 0) }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0 } ?? (nil, false)
    }

    @Test func theStoreAnswersFromTheCacheOnTheCallersThreadUntilAnyCommit() async throws {
        try await TemporaryDatabase.with { database in
            let store = try SQLiteUserStore(path: database.path)
            defer { store.close() }
            let user = try await store.addUser(email: "a@b.c", hashedPassword: TestVectors.hash2b).get()
            _ = try await store.startSession(userID: user.id, sessionID: "s-2", createdAt: 1).get()
            let key = SecretKey(stored: "s-2")
            let first = Self.lookUp(store, key)
            #expect(first.0?.email == "a@b.c" && !first.onCaller)
            let cached = Self.lookUp(store, key)
            #expect(cached.0 == first.0 && cached.onCaller)
            // An unknown session is never kept.
            for _ in 0..<2 {
                let unknown = Self.lookUp(store, SecretKey(stored: "none"))
                #expect(unknown.0 == nil && !unknown.onCaller)
            }

            // Another process (an admin command) ends the session: the next lookup reads the file.
            try RawSQLite(path: database.path).execute(
                "UPDATE users SET session_id = NULL; DELETE FROM authd_sessions WHERE user_id = \(user.id)")
            let ended = Self.lookUp(store, key)
            #expect(ended.0 == nil && !ended.onCaller)

            // This process commits anything: the next lookup reads the file again.
            _ = try await store.startSession(userID: user.id, sessionID: "s-3", createdAt: 1).get()
            let three = SecretKey(stored: "s-3")
            #expect(Self.lookUp(store, three).onCaller == false)
            #expect(Self.lookUp(store, three).onCaller)
            _ = try await store.addUser(email: "b@b.c", hashedPassword: TestVectors.hash2b).get()
            #expect(Self.lookUp(store, three).onCaller == false)
        }
    }
}
