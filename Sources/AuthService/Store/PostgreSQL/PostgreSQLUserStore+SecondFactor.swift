/// The second-factor tables in the same database, batches and transactions as the users.
extension PostgreSQLUserStore {
    public func findTOTP(userID: Int64, completion: @escaping StoreCompletion<TOTPRecord?>) {
        queue.submit(
            writes: false, [.init(statement: .selectTOTP, parameters: [.integer(userID)])],
            decode: { results in
                let rows = results[0]
                guard rows.rowCount > 0 else { return nil }
                return TOTPRecord(
                    userID: userID,
                    secret: SealedSecret(
                        keyID: rows.string(row: 0, column: 0) ?? "", sealed: rows.string(row: 0, column: 1) ?? ""),
                    isEnabled: rows.integer(row: 0, column: 2) == 1, lastStep: rows.integer(row: 0, column: 3),
                    recoveryCodesLeft: Int(rows.integer(row: 0, column: 4) ?? 0))
            }, completion: completion)
    }

    public func setPendingTOTP(userID: Int64, secret: SealedSecret, completion: @escaping StoreCompletion<Bool>) {
        changes(.setPendingTOTP, [.integer(userID), .text(secret.keyID), .text(secret.sealed)], completion: completion)
    }

    public func enableTOTP(
        userID: Int64, secret: SealedSecret, step: Int64, recoveryCodeDigests: [String],
        completion: @escaping StoreCompletion<Bool>
    ) {
        let parameters: [PostgreSQLValue] = [
            .integer(userID), .text(secret.keyID), .text(secret.sealed), .integer(step),
            .text(recoveryCodeDigests.joined(separator: ",")),
        ]
        queue.submit(
            writes: true, [.init(statement: .enableTOTP, parameters: parameters)],
            decode: { results in
                results[0].rowCount > 0
            }, completion: completion)
    }

    public func claimTOTPStep(userID: Int64, step: Int64, completion: @escaping StoreCompletion<Bool>) {
        changes(.claimTOTPStep, [.integer(userID), .integer(step)], completion: completion)
    }

    public func useRecoveryCode(userID: Int64, digest: String, completion: @escaping StoreCompletion<Bool>) {
        changes(.useRecoveryCode, [.integer(userID), .text(digest)], completion: completion)
    }

    public func removeTOTP(userID: Int64, completion: @escaping StoreCompletion<Bool>) {
        changes(.removeTOTP, [.integer(userID)], completion: completion)
    }

    public func usersWithTOTP(completion: @escaping StoreCompletion<Set<Int64>>) {
        queue.submit(
            writes: false, [.init(statement: .selectTOTPUsers, parameters: [])],
            decode: { results in
                Set((0..<results[0].rowCount).compactMap { results[0].integer(row: $0, column: 0) })
            }, completion: completion)
    }

    public func totpKeyIDs(completion: @escaping StoreCompletion<Set<String>>) {
        queue.submit(
            writes: false, [.init(statement: .selectTOTPKeyIDs, parameters: [])],
            decode: { results in
                Set((0..<results[0].rowCount).compactMap { results[0].string(row: $0, column: 0) })
            }, completion: completion)
    }

    /// A one-statement write; whether it touched a row.
    private func changes(
        _ statement: PostgreSQLStatement, _ parameters: [PostgreSQLValue], completion: @escaping StoreCompletion<Bool>
    ) {
        queue.submit(
            writes: true, [.init(statement: statement, parameters: parameters)],
            decode: { results in
                results[0].affectedRows > 0
            }, completion: completion)
    }
}
