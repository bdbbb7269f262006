/// Counts events per key (a pair of email and client, an account, a client) within a window and
/// blocks a key for a while once it reaches its limit: first for `backoff`, then twice as long at
/// each new strike, never longer than the window, so a block always ends (no permanent lock-out).
/// Attempts under way count against the limit from the moment they are admitted, so however
/// guesses are timed a key gets at most `limit` checked failures per window.
///
/// Bounded: at most `capacity` keys. A key enters only when an attempt is admitted (`begin`,
/// `admit`); when the table is full, stale keys go first, then the least recently seen keys that are
/// neither blocked nor busy; a blocked or busy key is never dropped, and when nothing can go the new
/// key is refused. Not thread-safe: `LoginThrottling` holds all its tables under one lock.
struct ThrottleTable {
    /// What an attempt on a key may do now.
    enum Verdict: Equatable {
        case allowed
        /// Blocked for that many more seconds.
        case blocked(Int)
        /// At its limit with attempts still under way: their outcomes decide within a hash time.
        case busy
    }

    private struct Entry {
        var windowStart: Int64
        var count = 0
        var strikes = 0
        var blockedUntil: Int64 = 0
        var lastSeen: Int64
        /// Attempts admitted and not yet ended.
        var pending = 0
        /// Attempts refused since the current block began (reported once, when the next one is admitted).
        var refusedInBlock = 0
    }

    let limit: Int
    let windowMilliseconds: Int64
    private let backoffMilliseconds: Int64
    let capacity: Int
    private var entries: [String: Entry] = [:]

    /// A table allowing `limit` events per key within `window`; `limit` 0 never refuses anything.
    init(limit: Int, window: Lifetime, backoff: Lifetime, capacity: Int) {
        self.limit = limit
        windowMilliseconds = window.milliseconds
        backoffMilliseconds = min(backoff.milliseconds, window.milliseconds)
        self.capacity = max(1, capacity)
    }

    /// Whether the table is on (a limit above 0).
    var isEnabled: Bool { limit > 0 }

    /// Keys tracked now.
    var trackedKeys: Int { entries.count }

    /// What an attempt on `key` may do now; changes nothing.
    func verdict(_ key: String, now: Int64) -> Verdict {
        guard isEnabled, let entry = entries[key] else { return .allowed }
        if let wait = Self.secondsLeft(entry, now: now) { return .blocked(wait) }
        return current(entry, now: now) + entry.pending >= limit ? .busy : .allowed
    }

    /// Whether a new key could enter now (the table has room, or could make some).
    func hasRoom(for key: String, now: Int64) -> Bool {
        !isEnabled || entries[key] != nil || entries.count < capacity
            || entries.values.contains { !isLive($0, now: now) || ($0.blockedUntil <= now && $0.pending == 0) }
    }

    /// Starts an admitted attempt on `key`; `end` must follow. The refusals its last block made, if any.
    mutating func begin(_ key: String, now: Int64) -> Int {
        guard isEnabled else { return 0 }
        var entry = take(key, now: now)
        entry.pending += 1
        let refused = entry.refusedInBlock
        entry.refusedInBlock = 0
        entries[key] = entry
        return refused
    }

    /// Ends an attempt `begin` started; a failure counts as one event. True when it began a block.
    @discardableResult
    mutating func end(_ key: String, failed: Bool, now: Int64) -> Bool {
        guard isEnabled, var entry = entries[key] else { return false }
        entry.pending = max(0, entry.pending - 1)
        let blocked = failed && count(&entry, now: now)
        entries[key] = entry
        return blocked
    }

    /// Counts one event for `key` if it is not blocked (a request budget); the refusals its last
    /// block made, or nil when refused now.
    mutating func admit(_ key: String, now: Int64) -> Int? {
        guard isEnabled else { return 0 }
        if case .blocked = verdict(key, now: now) { return nil }
        var entry = take(key, now: now)
        let refused = entry.refusedInBlock
        entry.refusedInBlock = 0
        _ = count(&entry, now: now)
        entries[key] = entry
        return refused
    }

    /// Notes a refused attempt on a key already tracked; true for the first refusal since its block began.
    mutating func noteRefusal(_ key: String) -> Bool {
        guard var entry = entries[key] else { return true }
        entry.refusedInBlock += 1
        entries[key] = entry
        return entry.refusedInBlock == 1
    }

    /// Forgets `key`'s failures (a successful login clears its pair's).
    mutating func reset(_ key: String) {
        guard var entry = entries[key] else { return }
        guard entry.pending == 0 else {
            entry.count = 0
            entry.strikes = 0
            entry.blockedUntil = 0
            entries[key] = entry
            return
        }
        entries.removeValue(forKey: key)
    }

    /// Events counted for `key` in the current window, attempts under way included.
    func load(_ key: String, now: Int64) -> Int {
        guard let entry = entries[key] else { return 0 }
        return current(entry, now: now) + entry.pending
    }

    // MARK: private

    private func current(_ entry: Entry, now: Int64) -> Int {
        now - entry.windowStart < windowMilliseconds ? entry.count : 0
    }

    /// The entry for `key`, made room for when new (callers checked `hasRoom` first).
    private mutating func take(_ key: String, now: Int64) -> Entry {
        if var entry = entries[key] {
            entry.lastSeen = now
            return entry
        }
        if entries.count >= capacity { evict(now: now) }
        return Entry(windowStart: now, lastSeen: now)
    }

    /// Counts one event; true when it began a block.
    private mutating func count(_ entry: inout Entry, now: Int64) -> Bool {
        if now - entry.windowStart >= windowMilliseconds {
            entry.windowStart = now
            entry.count = 0
            // A whole window without a block since the last one: the backoff starts over.
            if now - entry.blockedUntil >= windowMilliseconds { entry.strikes = 0 }
        }
        entry.count += 1
        entry.lastSeen = now
        guard entry.count >= limit else { return false }
        entry.strikes = min(entry.strikes + 1, 32)
        let doubled = backoffMilliseconds.multipliedReportingOverflow(by: Int64(1) << (entry.strikes - 1))
        entry.blockedUntil =
            now + (doubled.overflow ? windowMilliseconds : min(doubled.partialValue, windowMilliseconds))
        entry.refusedInBlock = 0
        // One more event after the block ends starts the next, longer one.
        entry.count = limit - 1
        return true
    }

    /// Whether an entry still means something: counted in this window, blocked, or busy.
    private func isLive(_ entry: Entry, now: Int64) -> Bool {
        now - entry.lastSeen < windowMilliseconds || now < entry.blockedUntil || entry.pending > 0
    }

    /// Drops stale entries; when none are, the least recently seen quarter of those neither blocked
    /// nor busy. Amortised: runs once the table is full.
    private mutating func evict(now: Int64) {
        entries = entries.filter { isLive($0.value, now: now) }
        guard entries.count >= capacity else { return }
        let idle = entries.filter { $0.value.blockedUntil <= now && $0.value.pending == 0 }
        let oldest = idle.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(max(1, capacity / 4))
        for (key, _) in oldest { entries.removeValue(forKey: key) }
    }

    private static func secondsLeft(_ entry: Entry, now: Int64) -> Int? {
        guard now < entry.blockedUntil else { return nil }
        return Int((entry.blockedUntil - now + 999) / 1000)
    }
}
