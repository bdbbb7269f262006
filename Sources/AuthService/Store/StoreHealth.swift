/// Whether the store can serve, as of its last operation or probe: what `/healthz` reports.
public enum StoreHealth: Sendable, Equatable {
    case serving
    /// Writes fail: the disk or the database is full. Retried by a probe until space returns.
    case full
    /// Writes fail: the database or its file system turned read-only. Retried by a probe.
    case readOnly
    /// The database file was removed or replaced while open: writes stay refused until a restart
    /// (authd never recreates an empty database behind the operator's back).
    case lost
    /// The storage failed, or did not answer a probe within its deadline.
    case unavailable

    /// The fault's name for `/healthz` and logs (`storage_full`, ...); `serving` when healthy.
    public var name: String {
        switch self {
        case .serving: "serving"
        case .full: "storage_full"
        case .readOnly: "storage_read_only"
        case .lost: "storage_lost"
        case .unavailable: "storage_unavailable"
        }
    }

    /// The health a failure reveals; nil for failures that say nothing about the storage.
    init?(_ error: StoreError) {
        switch error {
        case .full: self = .full
        case .readOnly: self = .readOnly
        case .lost: self = .lost
        case .unavailable: self = .unavailable
        case .busy, .closed, .duplicateEmail, .cannotOpen, .failure: return nil
        }
    }
}

/// The store's health and its fault totals, for `/healthz` and `/metrics`; read without waiting.
public struct StoreStatus: Sendable, Equatable {
    /// As of the last operation or probe (a probe overdue by its deadline reads as `unavailable`).
    public var health: StoreHealth
    /// Times the health left `serving`.
    public var faultEpisodes: Int
    /// Operations refused by a storage fault.
    public var refusedOperations: Int
    /// Connections to a database server made again after one was lost (PostgreSQL; 0 for a file).
    public var reconnects = 0
    /// Session lookups answered from the session cache, without the store's thread (SQLite; 0 for
    /// the others, which keep no cache).
    public var sessionCacheHits = 0

    /// A status; the in-memory store is always serving.
    public init(health: StoreHealth = .serving, faultEpisodes: Int = 0, refusedOperations: Int = 0) {
        self.health = health
        self.faultEpisodes = faultEpisodes
        self.refusedOperations = refusedOperations
    }
}
