import Glibc
import Synchronization

/// The session lookups the SQLite store answered lately, so that a check whose answer is known
/// fresh is answered on the calling thread, without the hop to the store thread and back.
///
/// An entry is a hit only while nothing can have changed since its lookup was queued: the store's
/// epoch (bumped by the store thread after each committed write batch and at each change of
/// health, before that batch's answers go out) and the database's commit counter (`WALChangeCounter`:
/// a commit by any process, an admin command, the seed's service, another authd on the file) are
/// both still as they were read before the lookup was queued, and at most `maximumAge` has passed.
/// So a revoke, logout, password change or deletion answered to a client, or committed by another
/// process, is seen by every check that starts after it; and while an entry hits, its holder is
/// the row as stored (its `lastSeenAt` too: a touch is a commit). Unknown sessions and errors are
/// never kept. Without a commit counter (not in WAL mode) nothing is kept. Thread-safe.
final class SessionReadCache: Sendable {
    /// When a lookup was queued, as an entry needs it to be a hit later.
    struct Stamp: Sendable {
        var epoch: UInt64
        var commits: UInt32
        /// CLOCK_MONOTONIC_COARSE, nanoseconds.
        var time: UInt64
    }

    private struct Entry {
        var holder: SessionHolder
        var stamp: Stamp
    }

    /// The longest an entry answers, whatever the counters say: a bound on staleness should a
    /// commit ever escape them (a writer that does not update the WAL index).
    static let maximumAge: Duration = .seconds(1)
    /// Entries kept at most; the cache is emptied when full (a fill costs a lookup, no more).
    static let capacity = 10_000

    private let maximumAgeNanoseconds: UInt64
    private let capacity: Int
    private let commits: WALChangeCounter?
    private let epoch = Atomic<UInt64>(0)
    private let stopped = Atomic<Bool>(false)
    private let entries = Mutex<[SecretKey: Entry]>([:])
    private let hitCount = Atomic<Int>(0)

    /// A cache over the database whose commits `commits` counts; none keeps nothing.
    init(commits: WALChangeCounter?, capacity: Int = SessionReadCache.capacity, maximumAge: Duration = maximumAge) {
        self.commits = commits
        self.capacity = capacity
        let (seconds, attoseconds) = maximumAge.components
        maximumAgeNanoseconds = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    /// The state now, for a lookup about to be queued and for `holder(for:at:)`; nil when the cache
    /// keeps nothing (no counter, or stopped).
    func stamp() -> Stamp? {
        guard let commits, !stopped.load(ordering: .acquiring) else { return nil }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return stamp(at: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec), commits: commits.value)
    }

    /// `stamp()` at a given time and commit count.
    func stamp(at time: UInt64, commits: UInt32) -> Stamp {
        Stamp(epoch: epoch.load(ordering: .acquiring), commits: commits, time: time)
    }

    /// The holder kept for `key` if it is still the stored one at `now` (see the type); nil otherwise.
    func holder(for key: SecretKey, at now: Stamp) -> SessionHolder? {
        entries.withLock { entries -> SessionHolder? in
            guard let entry = entries[key], entry.stamp.epoch == now.epoch, entry.stamp.commits == now.commits,
                now.time < entry.stamp.time + maximumAgeNanoseconds
            else { return nil }
            hitCount.add(1, ordering: .relaxed)
            return entry.holder
        }
    }

    /// Lookups answered from the cache since it was made.
    var hits: Int { hitCount.load(ordering: .relaxed) }

    /// Keeps what a lookup queued at `stamp` found; on the store thread, right after the read.
    func fill(_ key: SecretKey, with holder: SessionHolder, stampedAt stamp: Stamp) {
        entries.withLock { entries in
            if entries.count >= capacity && entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(holder: holder, stamp: stamp)
        }
    }

    /// Makes every entry a miss: a write batch committed, or the health changed.
    func invalidate() {
        epoch.add(1, ordering: .releasing)
    }

    /// Keeps nothing from now on (the store is closing).
    func stop() {
        stopped.store(true, ordering: .releasing)
        invalidate()
    }

    /// How many entries it holds now.
    var count: Int { entries.withLock { $0.count } }
}
