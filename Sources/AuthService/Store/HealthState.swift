import Synchronization

/// The store's health as its thread last saw it, readable from any thread; `lost` is final. Shared
/// by the SQLite and PostgreSQL queues.
final class HealthState: Sendable {
    private struct State {
        var health = StoreHealth.serving
        var episodes = 0
        var refused = 0
        var probeStartedAt: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let onChange: @Sendable (StoreHealth, StoreHealth) -> Void

    init(onChange: @escaping @Sendable (StoreHealth, StoreHealth) -> Void) {
        self.onChange = onChange
    }

    var current: StoreHealth { state.withLock { $0.health } }

    /// The health and fault totals now, a probe unanswered for longer than `probeDeadline` reading
    /// as `unavailable`: a store thread stuck in a call does not say so itself.
    func status(probeDeadline: Duration) -> StoreStatus {
        let (status, started) = state.withLock { state in
            (
                StoreStatus(health: state.health, faultEpisodes: state.episodes, refusedOperations: state.refused),
                state.probeStartedAt
            )
        }
        guard status.health == .serving, let started, ContinuousClock.now - started > probeDeadline else {
            return status
        }
        var overdue = status
        overdue.health = .unavailable
        return overdue
    }

    /// Records what an operation or probe showed; reports a change once.
    func observe(_ health: StoreHealth) {
        let change: (StoreHealth, StoreHealth)? = state.withLock { state in
            guard state.health != health, state.health != .lost else { return nil }
            let before = state.health
            state.health = health
            if before == .serving { state.episodes += 1 }
            return (before, health)
        }
        if let change { onChange(change.0, change.1) }
    }

    func refused() {
        state.withLock { $0.refused += 1 }
    }

    /// False when a probe is already waiting.
    func startProbe(at now: ContinuousClock.Instant) -> Bool {
        state.withLock { state in
            guard state.probeStartedAt == nil else { return false }
            state.probeStartedAt = now
            return true
        }
    }

    func endProbe() {
        state.withLock { $0.probeStartedAt = nil }
    }
}
