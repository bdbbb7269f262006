import Synchronization

/// The bcrypt costs of the stored hashes logins verify, so that the dummy run for an unknown email
/// costs what verifying a typical stored hash costs: the most common cost among the last `window`
/// seen (seeded at start from the newest rows). Without it, users stored at cost 12 under an authd
/// run at cost 10 answered a wrong password in 249 ms and an unknown email in 64 ms. Thread-safe:
/// logins note costs from store threads, the dummy setting is read from any.
final class StoredHashCosts: Sendable {
    private struct Tally {
        /// The last costs seen, a ring of at most `window`.
        var recent: [Int] = []
        var next = 0
        /// How many of `recent` have each cost (indexed by cost).
        var counts = [Int](repeating: 0, count: PasswordHasher.costs.upperBound + 1)
        var typical: Int
        /// A setting at `typical`.
        var setting: String
    }

    /// How many recent costs the tally keeps.
    let window: Int
    private let tally: Mutex<Tally>

    /// A tally that assumes `cost` until the first cost is noted.
    init(assuming cost: Int, window: Int = 256) throws(PasswordHasherError) {
        self.window = window
        tally = Mutex(Tally(typical: cost, setting: try PasswordHasher.makeSetting(cost: cost)))
    }

    /// The most common cost lately (the assumed one before any was noted).
    var typicalCost: Int { tally.withLock { $0.typical } }

    /// A `$2b$` setting at the typical cost: verifying against it costs that much and matches nothing.
    var dummySetting: String { tally.withLock { $0.setting } }

    /// Counts the cost of one stored hash, evicting the oldest beyond the window.
    func note(_ cost: Int) {
        guard PasswordHasher.costs.contains(cost) else { return }
        tally.withLock { tally in
            if tally.recent.count < window {
                tally.recent.append(cost)
            } else {
                tally.counts[tally.recent[tally.next]] -= 1
                tally.recent[tally.next] = cost
                tally.next = (tally.next + 1) % window
            }
            tally.counts[cost] += 1
            // Ties keep the current cost, so the setting is not remade back and forth.
            var typical = tally.typical
            for candidate in PasswordHasher.costs where tally.counts[candidate] > tally.counts[typical] {
                typical = candidate
            }
            guard typical != tally.typical, let setting = try? PasswordHasher.makeSetting(cost: typical) else { return }
            tally.typical = typical
            tally.setting = setting
        }
    }
}
