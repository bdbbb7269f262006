import Synchronization

/// The brute-force policy Auth consults, apart from the operations themselves (as django-axes
/// listens to Django's login signals). Failed logins count per pair of email and client (the strict
/// limit, which blocks), per client, and per account (which slows strangers but lets the owner in);
/// registrations and reset-token requests spend a per-client budget. Clients exempt from per-client
/// limits (a load harness on the host) still meet the per-email ones.
///
/// Nothing is inserted for an attempt that is refused (but the wider block a table under pressure
/// counts it under, `ThrottleTable.place`): every table is checked first, under one lock, and only
/// an admitted attempt enters them. An attempt that would pass its pair's limit
/// together with those under way waits for their outcome rather than being refused. Thread-safe:
/// the lock is held for dictionary work only; waiting attempts are resumed outside it.
final class LoginThrottling: Sendable {
    /// A refusal: the seconds to wait and the limit that refused (an audit reason); `audited` false
    /// for each refusal of a block after its first, which the audit log does not repeat.
    struct Refusal: Error, Sendable, Equatable {
        var retryAfterSeconds: Int
        var reason: String
        var audited = true
    }

    /// The refusals made by blocks that ended before an admitted attempt, one per limit, for the
    /// audit log's closing line of each block.
    struct EndedBlock: Sendable, Equatable {
        var reason: String
        var refusals: Int
    }

    /// The answer to `beginLogin`: admitted (with the blocks it closes), or refused.
    typealias Decision = @Sendable (Result<[EndedBlock], Refusal>) -> Void

    private struct Waiter {
        var email: String
        var client: ClientIdentity
        var decide: Decision
    }

    private struct State {
        var pairs: ThrottleTable
        var clients: ThrottleTable
        var accounts: ThrottleTable
        var requests: ThrottleTable
        /// Pair → time of its last successful login: the owner, whom a slowed account lets in.
        var owners: [String: Int64] = [:]
        /// Slowed account → when its next attempt from a stranger may start.
        var nextSlot: [String: Int64] = [:]
        /// Pair → attempts waiting for those under way.
        var waiting: [String: [Waiter]] = [:]
        var waitingCount = 0
    }

    /// Attempts one pair, and all pairs together, may keep waiting; more are refused. As many as
    /// the hash queue holds by default: a burst of a few hundred logins must wait, not fail.
    private static let waitersPerPair = 1024
    private static let waitersInAll = 8192

    private let state: Mutex<State>
    private let clock: @Sendable () -> Int64
    private let slotMilliseconds: Int64
    private let ownerMilliseconds: Int64
    private let capacity: Int
    /// The per-email and per-account limits as a store shared by several nodes applies them.
    let sharedRules: SharedLimitRules

    /// Throttles with `settings`, reading time from `clock` (unix milliseconds).
    init(_ settings: ThrottleSettings, clock: @escaping @Sendable () -> Int64) {
        func table(_ limit: Int, window: Lifetime = settings.window, backoff: Lifetime = settings.backoff)
            -> ThrottleTable
        {
            ThrottleTable(limit: limit, window: window, backoff: backoff, capacity: settings.capacity)
        }
        state = Mutex(
            State(
                pairs: table(settings.emailFailureLimit),
                clients: table(settings.addressFailureLimit),
                // Once over its limit an account stays slowed for the rest of the window.
                accounts: table(
                    settings.accountFailureLimit, window: settings.accountWindow, backoff: settings.accountWindow),
                requests: table(settings.addressRequestLimit)))
        self.clock = clock
        slotMilliseconds =
            settings.accountFailureLimit > 0
            ? max(1, settings.accountWindow.milliseconds / Int64(settings.accountFailureLimit)) : 0
        ownerMilliseconds = settings.ownerMemory.milliseconds
        capacity = max(1, settings.capacity)
        sharedRules = SharedLimitRules(
            pairLimit: settings.emailFailureLimit, pairWindow: settings.window.milliseconds,
            pairBackoff: settings.backoff.milliseconds, accountLimit: settings.accountFailureLimit,
            accountWindow: settings.accountWindow.milliseconds, accountSlot: slotMilliseconds,
            pendingLease: Self.pendingLease)
    }

    /// How long an attempt counts as under way in the shared limits without its end (a node that
    /// died mid-attempt): longer than a login waits for the hash threads and the store.
    private static let pendingLease: Int64 = 120_000

    /// `beginLogin`'s attempt as the shared limits count it: the same pair and account, and whether
    /// this node remembers the client as the account's owner.
    func sharedAttempt(email given: String, client: ClientIdentity) -> SharedLoginAttempt {
        let email = Self.accountKey(given)
        let now = clock()
        let pair = Self.pairKey(email, client)
        let isOwner: Bool = state.withLock { state in self.isOwner(pair, in: state, now: now) }
        // A space, which neither part can hold, instead of the local key's NUL, which PostgreSQL's
        // text cannot.
        return SharedLoginAttempt(pair: email + " " + client.throttleKey, account: email, isOwner: isOwner, now: now)
    }

    // MARK: logins

    /// Decides a login attempt: `decide` runs once, at once or (when it must wait for attempts under
    /// way) after one of them ends, on that thread. After an admission, `endLogin` must follow.
    func beginLogin(email given: String, client: ClientIdentity, decide: @escaping Decision) {
        let email = Self.accountKey(given)
        let now = clock()
        let outcome: Result<[EndedBlock], Refusal>? = state.withLock { state in
            let keys = place(&state, email: email, client: client, now: now)
            let pair = keys.pair
            switch check(&state, email: email, keys: keys, client: client, now: now) {
            case .some(.failure(let refusal)):
                return .failure(refusal)
            case .some(.success):
                return .success(begin(&state, email: email, keys: keys, client: client, now: now))
            case .none:
                guard state.waitingCount < Self.waitersInAll,
                    state.waiting[pair, default: []].count < Self.waitersPerPair
                else {
                    return .failure(Refusal(retryAfterSeconds: 1, reason: "email_failure_limit", audited: false))
                }
                state.waiting[pair, default: []].append(Waiter(email: email, client: client, decide: decide))
                state.waitingCount += 1
                return nil
            }
        }
        if let outcome { decide(outcome) }
    }

    /// Ends an attempt `beginLogin` admitted; a success clears the pair's failures and marks the
    /// client as the account's owner. Resumes the attempts waiting on that pair.
    func endLogin(email given: String, client: ClientIdentity, failed: Bool, succeeded: Bool) {
        let email = Self.accountKey(given)
        let now = clock()
        let resumed: [Waiter] = state.withLock { state in
            let key = client.throttleKey
            let pair = state.pairs.held(Self.pairKey(email, client)) { Self.widerPairKeys(email, client) }
            state.pairs.end(pair, failed: failed, now: now)
            if !client.isExemptFromClientLimits {
                state.clients.end(state.clients.held(key) { WiderKeys.of(key) }, failed: failed, now: now)
            }
            state.accounts.end(email, failed: failed, now: now)
            if succeeded {
                state.pairs.reset(pair)
                remember(owner: Self.pairKey(email, client), in: &state, now: now)
            }
            let waiters = state.waiting.removeValue(forKey: pair) ?? []
            state.waitingCount -= waiters.count
            return waiters
        }
        for waiter in resumed { beginLogin(email: waiter.email, client: waiter.client, decide: waiter.decide) }
    }

    /// The account an email counts under: logins match ignoring ASCII case, so `Victim@` and
    /// `vIctim@` must share one budget rather than multiply it.
    private static func accountKey(_ email: String) -> String {
        EmailComparison.caseFoldedKey(email)
    }

    // MARK: requests

    /// Counts one registration or reset-token request of `client`; a refusal when its budget is spent.
    func admitRequest(client: ClientIdentity) -> Result<[EndedBlock], Refusal> {
        guard !client.isExemptFromClientLimits else { return .success([]) }
        let now = clock()
        let own = client.throttleKey
        return state.withLock { state in
            let key = state.requests.place(own, wider: { WiderKeys.of(own) }, now: now)
            guard let refused = state.requests.admit(key, now: now) else {
                let wait = Self.seconds(of: state.requests.verdict(key, now: now))
                return .failure(
                    Refusal(
                        retryAfterSeconds: wait, reason: "address_request_limit",
                        audited: state.requests.noteRefusal(key)))
            }
            return .success(refused > 0 ? [EndedBlock(reason: "address_request_limit", refusals: refused)] : [])
        }
    }

    /// Keys tracked in each table now (metrics and tests).
    var trackedKeys: Int {
        state.withLock {
            $0.pairs.trackedKeys + $0.clients.trackedKeys + $0.accounts.trackedKeys + $0.requests.trackedKeys
        }
    }

    // MARK: private (under the lock)

    /// The keys an attempt counts under in the pair and client tables (see `ThrottleTable.place`).
    private struct Keys {
        var pair: String
        var client: String
    }

    /// Places an attempt in its tables (room made, not yet entered): the keys it counts under.
    private func place(_ state: inout State, email: String, client: ClientIdentity, now: Int64) -> Keys {
        let key = client.throttleKey
        let pair = state.pairs.place(
            Self.pairKey(email, client), wider: { Self.widerPairKeys(email, client) }, now: now)
        _ = state.accounts.place(email, wider: { [] }, now: now)
        guard !client.isExemptFromClientLimits else { return Keys(pair: pair, client: key) }
        return Keys(pair: pair, client: state.clients.place(key, wider: { WiderKeys.of(key) }, now: now))
    }

    /// Admitted, refused, or nil to wait for the pair's attempts under way.
    private func check(
        _ state: inout State, email: String, keys: Keys, client: ClientIdentity, now: Int64
    ) -> Result<Void, Refusal>? {
        let pair = keys.pair
        switch state.pairs.verdict(pair, now: now) {
        case .blocked(let wait):
            return .failure(
                Refusal(retryAfterSeconds: wait, reason: "email_failure_limit", audited: state.pairs.noteRefusal(pair)))
        case .busy:
            return nil
        case .allowed:
            break
        }
        if !client.isExemptFromClientLimits {
            let key = keys.client
            switch state.clients.verdict(key, now: now) {
            case .blocked(let wait):
                return .failure(
                    Refusal(
                        retryAfterSeconds: wait, reason: "address_failure_limit",
                        audited: state.clients.noteRefusal(key)))
            case .busy:
                return .failure(Refusal(retryAfterSeconds: 1, reason: "address_failure_limit", audited: false))
            case .allowed:
                break
            }
        }
        if state.accounts.verdict(email, now: now) != .allowed
            && !isOwner(Self.pairKey(email, client), in: state, now: now)
        {
            // Slowed: strangers share one attempt per slot, so guesses from many clients stay
            // under the account's limit while the owner still gets in.
            let slot = state.nextSlot[email] ?? 0
            guard now >= slot else {
                return .failure(
                    Refusal(
                        retryAfterSeconds: Int((slot - now + 999) / 1000), reason: "account_failure_limit",
                        audited: state.accounts.noteRefusal(email)))
            }
            if state.nextSlot.count >= capacity { state.nextSlot = state.nextSlot.filter { $0.value > now } }
            guard state.nextSlot.count < capacity else {
                return .failure(Refusal(retryAfterSeconds: 1, reason: "throttle_table_full"))
            }
            state.nextSlot[email] = now + slotMilliseconds
        }
        return .success(())
    }

    /// Enters an admitted attempt in every table it counts in; the blocks it closes.
    private func begin(
        _ state: inout State, email: String, keys: Keys, client: ClientIdentity, now: Int64
    ) -> [EndedBlock] {
        var ended: [EndedBlock] = []
        func note(_ refused: Int, _ reason: String) {
            if refused > 0 { ended.append(EndedBlock(reason: reason, refusals: refused)) }
        }
        note(state.pairs.begin(keys.pair, now: now), "email_failure_limit")
        if !client.isExemptFromClientLimits {
            note(state.clients.begin(keys.client, now: now), "address_failure_limit")
        }
        note(state.accounts.begin(email, now: now), "account_failure_limit")
        return ended
    }

    private func isOwner(_ pair: String, in state: State, now: Int64) -> Bool {
        guard let last = state.owners[pair] else { return false }
        return now - last < ownerMilliseconds
    }

    private func remember(owner pair: String, in state: inout State, now: Int64) {
        if state.owners[pair] == nil && state.owners.count >= capacity {
            let memory = ownerMilliseconds
            state.owners = state.owners.filter { now - $0.value < memory }
            if state.owners.count >= capacity {
                for (key, _) in state.owners.sorted(by: { $0.value < $1.value }).prefix(capacity / 4) {
                    state.owners.removeValue(forKey: key)
                }
            }
        }
        state.owners[pair] = now
    }

    private static func pairKey(_ email: String, _ client: ClientIdentity) -> String {
        // NUL cannot occur in either part, so the pair is unambiguous.
        email + "\u{0}" + client.throttleKey
    }

    /// The pair's keys with the client's wider blocks, finest first.
    private static func widerPairKeys(_ email: String, _ client: ClientIdentity) -> [String] {
        WiderKeys.of(client.throttleKey).map { email + "\u{0}" + $0 }
    }

    private static func seconds(of verdict: ThrottleTable.Verdict) -> Int {
        if case .blocked(let wait) = verdict { return wait }
        return 1
    }
}
