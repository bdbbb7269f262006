/// Counts events per key (a pair of email and client, an account, a client) within a window and
/// blocks a key for a while once it reaches its limit: first for `backoff`, then twice as long at
/// each new strike, never longer than the window, so a block always ends (no permanent lock-out).
/// Attempts under way count against the limit from the moment they are admitted, so however
/// guesses are timed a key gets at most `limit` checked failures per window.
///
/// Bounded: at most `capacity` keys, and a new client is never refused for want of room. `place`
/// chooses the key an attempt counts under: its own, or under pressure a wider one. When the table
/// is full, room is looked for among the oldest keys, a few at a time (O(1)): one that is stale or
/// neither blocked nor busy goes; blocked and busy ones go to the back of the line. When those few
/// are all blocked or busy (a table filled on purpose), the oldest key is forgotten, and the new one
/// counts under its wider block (`WiderKeys`: an IPv6 /56, an IPv4 /24; the /48 or /16 once the
/// table is full of such blocks), which its neighbours then share: keys an attacker chooses buy
/// little more than one block each. Not thread-safe: `LoginThrottling` holds all its tables under one lock.
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
        /// 0 for a key of its own, 1 and 2 for the wider blocks of `WiderKeys` it stands for.
        var width = 0
    }

    /// Keys looked at for room per new key before the oldest is forgotten.
    private static let probes = 8

    let limit: Int
    let windowMilliseconds: Int64
    private let backoffMilliseconds: Int64
    let capacity: Int
    private var entries: [String: Entry] = [:]
    /// Keys oldest first from `head` on: where room is looked for. A key removed meanwhile stays
    /// until it is reached, and one that came back is in twice (the first is then taken for it).
    private var order: [String] = []
    private var head = 0
    /// Entries standing for wider blocks: while there are none, `place` computes no wider keys.
    private var wideEntries = 0
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

    /// The key an attempt on `key` counts under, making room for it: `key` when held or when there
    /// is room, else the finest of `wider()` (finest first) already held, else a wider block entered
    /// now in the place of the oldest key. Room is made even for an attempt then refused elsewhere.
    mutating func place(_ key: String, wider: () -> [String], now: Int64) -> String {
        guard isEnabled, entries[key] == nil else { return key }
        var widerKeys: [String]? = nil
        // A neighbour's block stands for this key: leaving it for a key of its own would let an
        // attacker out of the block by waiting for room.
        if wideEntries > 0 {
            widerKeys = wider()
            if let held = widerKeys!.first(where: { entries[$0] != nil }) { return held }
        }
        if makeRoom(now: now) { return key }
        let keys = widerKeys ?? wider()
        if let held = keys.first(where: { entries[$0] != nil }) { return held }
        let forgotten = forgetOldest()
        guard !keys.isEmpty else { return key }
        // Forgetting a wider block means the table is full of them: wider still.
        let width = min(forgotten > 0 ? 2 : 1, keys.count)
        enter(keys[width - 1], Entry(windowStart: now, lastSeen: now, width: width))
        return keys[width - 1]
    }

    /// The key an attempt `place` placed on `key` counts under: `key` if held, else the finest of
    /// `wider()` held, else `key`.
    func held(_ key: String, wider: () -> [String]) -> String {
        guard isEnabled, entries[key] == nil, wideEntries > 0 else { return key }
        return wider().first { entries[$0] != nil } ?? key
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
        remove(key)
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

    /// The entry for `key`, entered when new (callers made room with `place` first; without it the
    /// oldest key is forgotten, so the table never outgrows its capacity).
    private mutating func take(_ key: String, now: Int64) -> Entry {
        if var entry = entries[key] {
            entry.lastSeen = now
            return entry
        }
        if entries.count >= capacity && !makeRoom(now: now) { forgetOldest() }
        let entry = Entry(windowStart: now, lastSeen: now)
        enter(key, entry)
        return entry
    }

    private mutating func enter(_ key: String, _ entry: Entry) {
        entries[key] = entry
        order.append(key)
        if entry.width > 0 { wideEntries += 1 }
        compactLine()
    }

    private mutating func remove(_ key: String) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        if entry.width > 0 { wideEntries -= 1 }
    }

    /// Drops from the line what is behind the head and keys no longer held, once half of it is
    /// behind the head or removals left it over twice the table: O(1) amortised per key entered.
    private mutating func compactLine() {
        guard head > order.count / 2 || order.count > 2 * capacity + 64 else { return }
        var seen = Set<String>()
        order = order[head...].filter { entries[$0] != nil && seen.insert($0).inserted }
        head = 0
    }

    /// The next key in line that is still held, taken off the line; nil when none is.
    private mutating func nextInLine() -> String? {
        defer { compactLine() }
        while head < order.count {
            let key = order[head]
            head += 1
            if entries[key] != nil { return key }
        }
        return nil
    }

    /// Room for one more key when the table is full: the first of the oldest few keys that is stale
    /// or neither blocked nor busy goes; the others go to the back of the line. False when none could.
    private mutating func makeRoom(now: Int64) -> Bool {
        guard entries.count >= capacity else { return true }
        for _ in 0..<Self.probes {
            guard let key = nextInLine(), let entry = entries[key] else { return entries.count < capacity }
            if !isLive(entry, now: now) || (entry.blockedUntil <= now && entry.pending == 0) {
                remove(key)
                return true
            }
            order.append(key)
        }
        return false
    }

    /// Forgets the oldest key, whatever its state; its width (0 when there was none).
    @discardableResult
    private mutating func forgetOldest() -> Int {
        guard let key = nextInLine(), let entry = entries[key] else { return 0 }
        remove(key)
        return entry.width
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

    private static func secondsLeft(_ entry: Entry, now: Int64) -> Int? {
        guard now < entry.blockedUntil else { return nil }
        return Int((entry.blockedUntil - now + 999) / 1000)
    }
}
