import Synchronization

/// The shared login limits in memory: what several `Auth`s on one `InMemoryUserStore` (nodes, in a
/// unit test) count together. Each step is atomic under one lock. Thread-safe; completions run on
/// the caller's thread before the call returns.
final class InMemorySharedLoginLimits: SharedLoginLimits {
    private struct Key: Hashable {
        var kind: SharedLimitKind
        var name: String
    }

    private let rows = Mutex<[Key: SharedLimitRow]>([:])

    func admitLogin(
        _ attempt: SharedLoginAttempt, rules: SharedLimitRules, completion: @escaping StoreCompletion<SharedAdmission>
    ) {
        let now = attempt.now
        let pairKey = Key(kind: .pair, name: attempt.pair)
        let accountKey = Key(kind: .account, name: attempt.account)
        let admission: SharedAdmission = rows.withLock { rows in
            // Both rows change together or neither does.
            var pair = rows[pairKey] ?? SharedLimitRow(now: now)
            switch pair.admit(SharedLimitRow.Limit(.pair, rules), now: now, lease: rules.pendingLease) {
            case .admitted: break
            case .busy: return .busy
            case .refused(let wait): return .refused(limit: .pair, retryAfterSeconds: wait)
            }
            var account = rows[accountKey] ?? SharedLimitRow(now: now)
            let answer = account.admit(
                SharedLimitRow.Limit(.account, rules), now: now, lease: rules.pendingLease, exempt: attempt.isOwner)
            guard answer == .admitted else {
                // As PostgreSQL's function leaves it: the pair's row made, its count untouched.
                rows[pairKey] = rows[pairKey] ?? SharedLimitRow(now: now)
                guard case .refused(let wait) = answer else { return .busy }
                return .refused(limit: .account, retryAfterSeconds: wait)
            }
            rows[pairKey] = pair
            rows[accountKey] = account
            return .admitted
        }
        completion(.success(admission))
    }

    func endLogin(
        _ attempt: SharedLoginAttempt, rules: SharedLimitRules, outcome: SharedLoginOutcome,
        completion: @escaping StoreCompletion<Void>
    ) {
        let now = attempt.now
        rows.withLock { rows in
            let failed = outcome == .failed
            rows[Key(kind: .pair, name: attempt.pair)]?.end(
                SharedLimitRow.Limit(.pair, rules), now: now, failed: failed, clears: outcome == .succeeded)
            rows[Key(kind: .account, name: attempt.account)]?.end(
                SharedLimitRow.Limit(.account, rules), now: now, failed: failed, clears: false)
        }
        completion(.success(()))
    }
}
