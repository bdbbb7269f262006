/// One key's state in the shared login limits and the rules that change it: what the in-memory
/// store runs, and what PostgreSQL's functions (`PostgreSQLLoginLimitsSchema`) do step for step, so the
/// contract suite holds both to the same answers. The counting is `ThrottleTable`'s: failures
/// within a window, attempts under way counting from admission, a block at the limit that doubles
/// at each strike up to the window, and for an account over its limit one stranger per slot.
struct SharedLimitRow: Equatable, Sendable {
    var windowStart: Int64
    var failures = 0
    var pending = 0
    var pendingUntil: Int64 = 0
    var strikes = 0
    var blockedUntil: Int64 = 0
    var nextSlot: Int64 = 0

    /// A key seen first at `now`.
    init(now: Int64) {
        windowStart = now
    }

    /// The limit, window, backoff and slot (nil: none) of one kind of key.
    struct Limit {
        var limit: Int
        var window: Int64
        var backoff: Int64
        var slot: Int64?

        init(_ kind: SharedLimitKind, _ rules: SharedLimitRules) {
            switch kind {
            case .pair:
                self.init(limit: rules.pairLimit, window: rules.pairWindow, backoff: rules.pairBackoff, slot: nil)
            case .account:
                // Once over its limit an account stays slowed for the rest of its window, as locally.
                self.init(
                    limit: rules.accountLimit, window: rules.accountWindow, backoff: rules.accountWindow,
                    slot: rules.accountSlot)
            }
        }

        init(limit: Int, window: Int64, backoff: Int64, slot: Int64?) {
            self.limit = limit
            self.window = window
            self.backoff = min(backoff, window)
            self.slot = slot
        }
    }

    /// What `admit` says of an attempt.
    enum Answer: Equatable {
        case admitted
        /// Full of attempts under way, not blocked: ask again once one of them ends.
        case busy
        /// Refused for that many seconds.
        case refused(Int)
    }

    /// Admits one attempt (`exempt`: one the limit does not apply to, the account's owner), counting
    /// it as under way until `now + lease`; changes nothing unless it is admitted.
    mutating func admit(_ rule: Limit, now: Int64, lease: Int64, exempt: Bool = false) -> Answer {
        guard rule.limit > 0 else { return .admitted }
        let underWay = now < pendingUntil ? pending : 0
        let counted = now - windowStart < rule.window ? failures : 0
        let open = now >= blockedUntil && counted + underWay < rule.limit
        if !(exempt || open) {
            guard let slot = rule.slot, now >= nextSlot else {
                // A slowed account's stranger waits for the next slot; a pair for its block to end.
                if rule.slot == nil && now >= blockedUntil { return .busy }
                let until = rule.slot != nil ? nextSlot : blockedUntil
                return .refused(Int((until - now + 999) / 1000))
            }
            nextSlot = now + slot
        }
        pending = underWay + 1
        pendingUntil = now + lease
        return .admitted
    }

    /// Ends an admitted attempt; `clears` forgives the key's failures (a pair's successful login).
    mutating func end(_ rule: Limit, now: Int64, failed: Bool, clears: Bool) {
        guard rule.limit > 0 else { return }
        pending = now < pendingUntil ? max(0, pending - 1) : 0
        if failed {
            if now - windowStart >= rule.window {
                windowStart = now
                failures = 0
                // A whole window without a block since the last one: the backoff starts over.
                if now - blockedUntil >= rule.window { strikes = 0 }
            }
            failures += 1
            if failures >= rule.limit {
                strikes = min(strikes + 1, 32)
                let doubled = rule.backoff.multipliedReportingOverflow(by: Int64(1) << (strikes - 1))
                blockedUntil = now + (doubled.overflow ? rule.window : min(doubled.partialValue, rule.window))
                // One more failure after the block ends starts the next, longer one.
                failures = rule.limit - 1
            }
        }
        if clears {
            failures = 0
            strikes = 0
            blockedUntil = 0
        }
    }
}
