import CSQLite

extension SQLiteUsersTable {
    /// See `UserStore.copyUsers`: decided by `CopyOutcome.outcomes`, then written inside a savepoint
    /// of the batch's transaction, so a failure part-way undoes this job's rows only (as `addUsers`).
    /// Its statements are prepared per call: a migration runs once, the server never.
    func copyUsers(_ rows: [User]) throws(StoreError) -> [CopyOutcome] {
        // Every spelling, not LIMIT 2 as the lookups: a twin outside the rows may come third.
        let variants = try SQLiteStatement(
            database: database, sql: "SELECT \(Self.columns) FROM users WHERE email = ?1 COLLATE NOCASE ORDER BY id")
        let outcomes = try CopyOutcome.outcomes(copying: rows) { email throws(StoreError) in
            defer { variants.reset() }
            variants.bind(1, text: email)
            var found: [User] = []
            while try variants.step() { found.append(Self.user(at: variants)) }
            return found
        }
        guard !outcomes.hasConflict, outcomes.contains(.added) else { return outcomes }
        let insert = try SQLiteStatement(
            database: database,
            sql: """
                INSERT INTO users (email, hashed_password, session_id, reset_token, authd_session_created_ms, \
                authd_reset_token_created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                """)
        try SQLiteSchema.execute("SAVEPOINT authd_copy_users", on: database)
        do {
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
