/// The login limits a store keeps for several nodes at once (PostgreSQL), so that guesses spread
/// over nodes count together: each node's own throttles still run first, and an attempt they admit
/// must also be admitted here, by one atomic step in the database. Thread-safe; each completion
/// runs exactly once. A failure changed nothing.
public protocol SharedLoginLimits: AnyObject, Sendable {
    /// Admits `attempt` if its pair and (for a stranger) its account have room: not blocked, and
    /// failures plus attempts under way below the limit, or for a slowed account a free slot. An
    /// admitted attempt counts as under way until `endLogin` or until `rules.pendingLease` passes
    /// (a node that died mid-attempt cannot hold a key for ever).
    func admitLogin(
        _ attempt: SharedLoginAttempt, rules: SharedLimitRules, completion: @escaping StoreCompletion<SharedAdmission>)

    /// Ends an attempt `admitLogin` admitted: a failure counts on its pair and its account (and may
    /// begin a block, as `ThrottleTable` blocks), a success clears its pair's failures.
    func endLogin(
        _ attempt: SharedLoginAttempt, rules: SharedLimitRules, outcome: SharedLoginOutcome,
        completion: @escaping StoreCompletion<Void>)
}

/// One login attempt as the shared limits count it.
public struct SharedLoginAttempt: Sendable, Equatable {
    /// The pair of account and client, as the node's own pair table names it.
    public var pair: String
    /// The account (the email folded as `EmailComparison.caseFoldedKey` folds it).
    public var account: String
    /// Whether the client logged in to this account lately (as this node remembers): the owner is
    /// not slowed by the account's limit.
    public var isOwner: Bool
    /// When (unix milliseconds).
    public var now: Int64

    /// An attempt on `pair` and `account` at `now`.
    public init(pair: String, account: String, isOwner: Bool, now: Int64) {
        self.pair = pair
        self.account = account
        self.isOwner = isOwner
        self.now = now
    }
}

/// How an admitted attempt ended.
public enum SharedLoginOutcome: Sendable, Equatable {
    /// A wrong password or unknown email: one failure.
    case failed
    /// The password matched: the pair's failures are forgiven.
    case succeeded
    /// Neither (refused elsewhere, overloaded, abandoned): the attempt only stops being under way.
    case withdrawn
}

/// The limits, as `ThrottleSettings` sets them; every duration in milliseconds.
public struct SharedLimitRules: Sendable, Equatable {
    public var pairLimit: Int
    public var pairWindow: Int64
    public var pairBackoff: Int64
    public var accountLimit: Int
    public var accountWindow: Int64
    /// Once an account is over its limit, strangers get one attempt per slot.
    public var accountSlot: Int64
    /// How long an admitted attempt counts as under way without an end.
    public var pendingLease: Int64

    /// Rules with these limits (0 turns a limit off).
    public init(
        pairLimit: Int, pairWindow: Int64, pairBackoff: Int64, accountLimit: Int, accountWindow: Int64,
        accountSlot: Int64, pendingLease: Int64
    ) {
        self.pairLimit = pairLimit
        self.pairWindow = pairWindow
        self.pairBackoff = pairBackoff
        self.accountLimit = accountLimit
        self.accountWindow = accountWindow
        self.accountSlot = accountSlot
        self.pendingLease = pendingLease
    }
}

/// The shared limits' answer to an attempt.
public enum SharedAdmission: Sendable, Equatable {
    case admitted
    /// The pair is at its limit with attempts still under way (on any node): their outcomes decide
    /// within a hash time, so the attempt asks again shortly instead of being refused, as a node's
    /// own pair table lets it wait.
    case busy
    /// Refused by `limit`, for that many seconds.
    case refused(limit: SharedLimitKind, retryAfterSeconds: Int)
}

/// Which shared limit a key counts under.
public enum SharedLimitKind: Int16, Sendable, Equatable {
    case pair = 1
    case account = 2
}
