/// The shared login limits in PostgreSQL (`PostgreSQLLoginLimitsSchema`), on the store's own thread
/// and connection. Each step is one function call, atomic by itself, in a transaction of its own
/// outside the batch's (a Sync after it, in the same round trip): its row locks last that call
/// only, so admissions of one account from several nodes queue briefly instead of deadlocking
/// across batches that each hold some of them. Thread-safe; completions run on the store thread.
final class PostgreSQLLoginLimits: SharedLoginLimits {
    private let queue: PostgreSQLQueue
    /// `authd_login_admit`'s wait for a pair full of attempts under way, not blocked.
    private static let busy: Int64 = -2

    init(queue: PostgreSQLQueue) {
        self.queue = queue
    }

    func admitLogin(
        _ attempt: SharedLoginAttempt, rules: SharedLimitRules, completion: @escaping StoreCompletion<SharedAdmission>
    ) {
        let parameters: [PostgreSQLValue] = [
            .text(attempt.pair), .text(attempt.account), .text(attempt.isOwner ? "true" : "false"),
            .integer(attempt.now), .integer(Int64(rules.pairLimit)), .integer(rules.pairWindow),
            .integer(Int64(rules.accountLimit)), .integer(rules.accountWindow), .integer(rules.accountSlot),
            .integer(rules.pendingLease),
        ]
        queue.submit(
            writes: false, alone: true, [.init(statement: .admitLogin, parameters: parameters)],
            decode: { results in
                guard let kind = results[0].integer(row: 0, column: 0) else { return .admitted }
                let wait = results[0].integer(row: 0, column: 1)
                if wait == Self.busy { return .busy }
                return .refused(
                    limit: SharedLimitKind(rawValue: Int16(clamping: kind)) ?? .pair, retryAfterSeconds: Int(wait ?? 1))
            }, completion: completion)
    }

    func endLogin(
        _ attempt: SharedLoginAttempt, rules: SharedLimitRules, outcome: SharedLoginOutcome,
        completion: @escaping StoreCompletion<Void>
    ) {
        let failed = outcome == .failed ? "true" : "false"
        func step(_ kind: SharedLimitKind, _ key: String, clears: Bool) -> PostgreSQLJob.Step {
            let rule = SharedLimitRow.Limit(kind, rules)
            return .init(
                statement: .endLoginLimit,
                parameters: [
                    .integer(Int64(kind.rawValue)), .text(key), .integer(attempt.now), .integer(Int64(rule.limit)),
                    .integer(rule.window), .integer(rule.backoff), .text(failed), .text(clears ? "true" : "false"),
                ])
        }
        let steps = [
            step(.pair, attempt.pair, clears: outcome == .succeeded), step(.account, attempt.account, clears: false),
        ]
        queue.submit(writes: false, alone: true, steps, decode: { _ in }, completion: completion)
    }
}
