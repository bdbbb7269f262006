/// What a store hands back: on any thread (the store's own, or the caller's for the in-memory store).
public typealias StoreCompletion<Value> = @Sendable (Result<Value, StoreError>) -> Void

/// The whole store, the seam between Auth and a database: one protocol per concept (Kratos's
/// persister split: `UserPersister`, `SessionPersister`, `OutboxPersister`), and what the backend
/// itself offers (health, queue, shutdown). Each operation is atomic by itself in every backend, by one conditional
/// statement or one transaction, never by which thread runs it; a success is reported only once it
/// is durable, and a failure means the operation changed nothing. Thread-safe: call from any thread;
/// each completion runs exactly once. Lookups compare emails, session ids and tokens byte for byte,
/// except those named "ignoring case".
///
/// "Ignoring case" means ASCII case only: `A`–`Z` equal `a`–`z`, every other byte compares as it is
/// (`É` and `é`, `SS` and `ß`, the Kelvin sign and `k` stay distinct). That is what SQLite's NOCASE
/// collation and `lower()` do without ICU, so every backend can decide it inside its own
/// transaction, with an index; a Unicode folding in Swift would disagree with SQLite's. Emails
/// reach the store in NFC with the domain already lower-cased (`EmailAddress`), so what is left to
/// fold is the local part, where ASCII letters are by far the common case.
public protocol UserStore: UserPersister, SessionPersister, OutboxPersister {
    /// The login limits this store keeps for several nodes; nil when each node's own suffice (one
    /// node on an embedded database).
    var sharedLoginLimits: (any SharedLoginLimits)? { get }

    /// Operations waiting to run (a gauge for metrics).
    var queueDepth: Int { get }

    /// Makes operations submitted on the calling thread wake the store's thread only when the
    /// returned closure is called, which that thread must do after each burst of them (a reactor:
    /// at the end of each cycle); nil when the store has no such thread to spare waking.
    func holdWakeups() -> (@Sendable () -> Void)?

    /// The storage's health and fault totals, as last seen; returns at once (never queues).
    var status: StoreStatus { get }

    /// Checks, in the background, that the store still answers; `status` shows the outcome, and
    /// a probe unanswered past its deadline reads as `unavailable`.
    func probe()

    /// Finishes the queued operations and closes the database; later operations fail with
    /// `.closed`. Blocks; call it once nothing submits any more.
    func close()
}

/// How `addUser` compares a new email with the stored ones.
public enum EmailComparison: Sendable {
    /// Byte for byte, as the seed's lookups.
    case exact
    /// Ignoring ASCII case (see `UserStore`), as authd's registrations do.
    case ignoringCase
}

extension EmailComparison {
    /// `email` with ASCII letters lower-cased, every other byte kept: two emails are equal ignoring
    /// case (see `UserStore`) exactly when their keys are equal.
    public static func caseFoldedKey(_ email: String) -> String {
        String(
            decoding: email.utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 },
            as: UTF8.self)
    }
}

extension UserStore {
    public var sharedLoginLimits: (any SharedLoginLimits)? { nil }

    public func holdWakeups() -> (@Sendable () -> Void)? { nil }
}

extension UserPersister {
    /// Copies `rows` without second factors (see `copyUsers(_:secondFactors:completion:)`).
    public func copyUsers(_ rows: [User], completion: @escaping StoreCompletion<[CopyOutcome]>) {
        copyUsers(rows, secondFactors: [:], completion: completion)
    }

    /// Adds a user; `.duplicateEmail` when another user has this exact email.
    public func addUser(email: String, hashedPassword: String, completion: @escaping StoreCompletion<User>) {
        addUser(email: email, hashedPassword: hashedPassword, unique: .exact, completion: completion)
    }
}
