/// One store operation for PostgreSQL: its statements, sent back to back with no answer awaited in
/// between, and what to make of their results. Runs on the store thread.
struct PostgreSQLJob: Sendable {
    /// One statement and its parameters.
    struct Step: Sendable {
        var statement: PostgreSQLStatement
        var parameters: [PostgreSQLValue]
    }

    /// Whether the job writes, so it goes into the batch's transaction.
    var writes: Bool
    /// Whether a job that does not go into the batch's transaction needs one of its own, ended by
    /// a Sync right after it: the statements before a Sync share one implicit transaction, and with
    /// it every row lock they take.
    var alone = false
    var steps: [Step]
    /// Past this, the job fails instead of being sent (or waited for) any longer.
    var deadline: ContinuousClock.Instant
    /// Times it was sent in a transaction that another job's failure undid.
    var attempts = 0
    /// Given its results (one per step, all succeeded), returns the delivery to call once the
    /// batch's fate is known: with nil when committed, else with the error that undid it.
    var decode: @Sendable ([PostgreSQLResult]) -> @Sendable (StoreError?) -> Void
    /// Reports `error` without running.
    var fail: @Sendable (StoreError) -> Void
}
