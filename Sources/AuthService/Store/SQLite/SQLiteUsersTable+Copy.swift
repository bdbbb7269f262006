import CSQLite

extension SQLiteUsersTable {
    /// See `UserStore.copyUsers`: decided by `CopyOutcome.outcomes`, then written inside a savepoint
    /// of the batch's transaction, so a failure part-way undoes this job's rows only (as `addUsers`).
    /// Its statements are prepared per call: a migration runs once, the server never. An added
    /// row's second factor goes in with it, sealed to the id the insert gave.
    func copyUsers(_ rows: [User], secondFactors copied: [Int64: CopiedSecondFactor]) throws(StoreError)
        -> [CopyOutcome]
    {
        // Every spelling, not LIMIT 2 as the lookups: a twin outside the rows may come third.
        let variants = try SQLiteStatement(
            database: database, sql: "SELECT \(Self.columns) FROM users WHERE email = ?1 COLLATE NOCASE ORDER BY id")
        let outcomes = try CopyOutcome.outcomes(
            copying: rows, secondFactors: copied,
            variants: { email throws(StoreError) in
                defer { variants.reset() }
                variants.bind(1, text: email)
                var found: [User] = []
                while try variants.step() { found.append(Self.user(at: variants)) }
                return found
            },
            storedSecondFactor: { user throws(StoreError) in try secondFactors.find(userID: user.id)?.isEnabled == true
            })
        guard !outcomes.hasConflict, outcomes.contains(.added) else { return outcomes }
        let insert = try SQLiteStatement(
            database: database,
            sql: """
                INSERT INTO users (email, hashed_password, session_id, reset_token, authd_session_created_ms, \
                authd_reset_token_created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                """)
        let insertTOTP = try SQLiteStatement(
            database: database,
            sql:
                "INSERT INTO authd_totp (user_id, key_id, sealed_secret, enabled, last_step) VALUES (?1, ?2, ?3, ?4, ?5)"
        )
        let insertCode = try SQLiteStatement(
            database: database, sql: "INSERT OR IGNORE INTO authd_recovery_codes (user_id, digest) VALUES (?1, ?2)")
        try SQLiteSchema.execute("SAVEPOINT authd_copy_users", on: database)
        do throws(StoreError) {
            for (row, outcome) in zip(rows, outcomes) where outcome == .added {
                defer { insert.reset() }
                insert.bind(1, text: row.email)
                // Bytes, as the seed writes them (see addUser).
                insert.bind(2, blobOf: row.hashedPassword)
                insert.bind(3, text: row.sessionID)
                insert.bind(4, text: row.resetToken)
                insert.bind(5, optionalInteger: row.sessionCreatedAt)
                insert.bind(6, optionalInteger: row.resetTokenCreatedAt)
                _ = try insert.step()
                let id = sqlite3_last_insert_rowid(database)
                // A freed id is given again: what a user removed behind authd's back left must not stay.
                _ = try secondFactors.remove(userID: id)
                guard let factor = copied[row.id] else { continue }
                guard let sealed = factor.seal(id) else { throw CopiedSecondFactor.sealingFailed }
                defer { insertTOTP.reset() }
                insertTOTP.bind(1, integer: id)
                insertTOTP.bind(2, text: sealed.keyID)
                insertTOTP.bind(3, text: sealed.sealed)
                insertTOTP.bind(4, integer: factor.isEnabled ? 1 : 0)
                insertTOTP.bind(5, optionalInteger: factor.lastStep)
                _ = try insertTOTP.step()
                for digest in factor.recoveryCodeDigests {
                    defer { insertCode.reset() }
                    insertCode.bind(1, integer: id)
                    insertCode.bind(2, text: digest)
                    _ = try insertCode.step()
                }
            }
            try SQLiteSchema.execute("RELEASE authd_copy_users", on: database)
            return outcomes
        } catch {
            if isInTransaction {
                _ = sqlite3_exec(database, "ROLLBACK TO authd_copy_users; RELEASE authd_copy_users", nil, nil, nil)
            }
            throw error
        }
    }
}
