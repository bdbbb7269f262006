import Synchronization

/// Counts events (failed logins, requests) per key (an email, a client address) and refuses a key
/// for a while once it reaches its limit within the window: first for `backoff`, then twice as long at
/// each new strike, never longer than the window, so a block always ends (no permanent lock-out).
/// Bounded: past `capacity` keys, stale entries go first, then the least recently seen.
/// Thread-safe: checks run on the reactor thread, but Auth's completions (which record failures) run on
/// store and hash threads, so the table sits behind a Mutex; it is held for a dictionary lookup only.
final class Throttle: Sendable {
    private struct Entry {
        var windowStart: Int64
        var count: Int
        var strikes: Int
        var blockedUntil: Int64
        var lastSeen: Int64
        /// Attempts begun and not yet ended: they count against the limit until they end.
        var pending: Int
    }

    private let limit: Int
    private let windowMilliseconds: Int64
    private let backoffMilliseconds: Int64
    private let capacity: Int
    private let clock: @Sendable () -> Int64
    private let entries = Mutex<[String: Entry]>([:])

    /// A throttle allowing `limit` events per key within `window`; `limit` 0 never refuses anything.
    init(
        limit: Int, window: Lifetime, backoff: Lifetime, capacity: Int = 65_536,
        clock: @escaping @Sendable () -> Int64 = WallClock.milliseconds
    ) {
        self.limit = limit
        windowMilliseconds = window.milliseconds
        backoffMilliseconds = min(backoff.milliseconds, window.milliseconds)
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// Whether the throttle is on (a limit above 0).
    var isEnabled: Bool { limit > 0 }

    /// Starts an attempt whose outcome comes later (a login waiting for bcrypt); the seconds to wait
    /// when refused, else nil, and the caller must then call `end`. Once a key has failed, attempts
    /// under way count against its limit, so concurrent guesses cannot overrun it; a key with no
    /// failure is not capped, so many concurrent correct logins to one account all go through.
    func begin(_ key: String) -> Int? {
        guard isEnabled else { return nil }
        let now = clock()
        return entries.withLock { table in
            if let entry = table[key] {
                if let wait = Self.secondsLeft(entry, now: now) { return wait }
                let current = now - entry.windowStart < windowMilliseconds ? entry.count : 0
                // Full with attempts still under way: their outcome decides within a second or so.
                if current > 0 && current + entry.pending >= limit { return 1 }
            } else if table.count >= capacity {
                evict(from: &table, now: now)
            }
            table[key, default: Self.fresh(now)].pending += 1
            table[key]?.lastSeen = now
            return nil
        }
    }

    /// Ends an attempt `begin` let through; a failure counts as one event.
    func end(_ key: String, failed: Bool) {
        guard isEnabled else { return }
        let now = clock()
        entries.withLock { table in
            if let pending = table[key]?.pending, pending > 0 { table[key]?.pending = pending - 1 }
            if failed { count(key, in: &table, now: now) }
        }
    }

    /// Counts one event for `key` unless it is refused; the seconds to wait when refused, else nil.
    func admit(_ key: String) -> Int? {
        guard isEnabled else { return nil }
        let now = clock()
        return entries.withLock { table in
            if let entry = table[key], let wait = Self.secondsLeft(entry, now: now) { return wait }
            count(key, in: &table, now: now)
            return nil
        }
    }

    /// Forgets `key` (a successful login clears its email's failures).
    func reset(_ key: String) {
        guard isEnabled else { return }
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// Keys tracked now (for tests and metrics).
    var trackedKeys: Int {
        entries.withLock { $0.count }
    }

    private func count(_ key: String, in table: inout [String: Entry], now: Int64) {
        if table[key] == nil && table.count >= capacity { evict(from: &table, now: now) }
        var entry = table[key] ?? Self.fresh(now)
        count(&entry, now: now)
        table[key] = entry
    }

    private func count(_ entry: inout Entry, now: Int64) {
        if now - entry.windowStart >= windowMilliseconds {
            entry.windowStart = now
            entry.count = 0
            // A whole window without a block since the last one: the backoff starts over.
            if now - entry.blockedUntil >= windowMilliseconds { entry.strikes = 0 }
        }
        entry.count += 1
        entry.lastSeen = now
        guard entry.count >= limit else { return }
        entry.strikes = min(entry.strikes + 1, 32)
        let doubled = backoffMilliseconds.multipliedReportingOverflow(by: Int64(1) << (entry.strikes - 1))
        entry.blockedUntil = now + (doubled.overflow ? windowMilliseconds : min(doubled.partialValue, windowMilliseconds))
        // One more event after the block ends starts the next, longer one.
        entry.count = limit - 1
    }

    /// Drops stale entries; when none are, the least recently seen quarter. Amortised: runs once the table is full.
    private func evict(from table: inout [String: Entry], now: Int64) {
        let window = windowMilliseconds
        table = table.filter { now - $0.value.lastSeen < window || now < $0.value.blockedUntil || $0.value.pending > 0 }
        guard table.count >= capacity else { return }
        let oldest = table.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(max(1, capacity / 4))
        for (key, _) in oldest { table.removeValue(forKey: key) }
    }

    private static func fresh(_ now: Int64) -> Entry {
        Entry(windowStart: now, count: 0, strikes: 0, blockedUntil: 0, lastSeen: now, pending: 0)
    }

    private static func secondsLeft(_ entry: Entry, now: Int64) -> Int? {
        guard now < entry.blockedUntil else { return nil }
        return Int((entry.blockedUntil - now + 999) / 1000)
    }
}
