import Synchronization

/// Totals the store thread keeps, read from any thread.
final class PostgreSQLCounters: Sendable {
    /// Batches sent, each one round trip.
    let roundTrips = Atomic<Int>(0)
    /// Connections made again after one was lost.
    let reconnects = Atomic<Int>(0)
}
