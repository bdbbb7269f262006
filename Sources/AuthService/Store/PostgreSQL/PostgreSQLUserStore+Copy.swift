extension PostgreSQLUserStore {
    /// See `UserStore.copyUsers`. Two statements in one job: a lock on the table, then one
    /// statement that decides every row and inserts the `.added` ones only if none conflicts. The
    /// rules are `CopyOutcome.outcomes`, written in SQL because a pipelined job cannot wait for a
    /// read before it writes; the contract suite holds both to the same answers. The rows travel
    /// as array parameters, one per column. A second factor is sealed to the user's id before the
    /// job is sent, so with any second factor the rows' ids are drawn from the table's sequence
    /// first (a job of its own: a sequence never gives a value twice, used or not).
    public func copyUsers(
        _ rows: [User], secondFactors: [Int64: CopiedSecondFactor], completion: @escaping StoreCompletion<[CopyOutcome]>
    ) {
        guard !secondFactors.isEmpty, !rows.isEmpty else {
            return submitCopy(rows, ids: nil, secondFactors: [:], completion: completion)
        }
        queue.submit(
            writes: true, [.init(statement: .reserveUserIDs, parameters: [.integer(Int64(rows.count))])],
            decode: { results in
                (0..<results[0].rowCount).compactMap { results[0].integer(row: $0, column: 0) }.sorted()
            },
            completion: { reserved in
                switch reserved {
                case .failure(let error): completion(.failure(error))
                case .success(let ids):
                    self.submitCopy(rows, ids: ids, secondFactors: secondFactors, completion: completion)
                }
            })
    }

    /// The copy's job: the rows under `ids` (one per row, in order; nil: the table's next ones),
    /// each second factor sealed to its row's id.
    private func submitCopy(
        _ rows: [User], ids: [Int64]?, secondFactors: [Int64: CopiedSecondFactor],
        completion: @escaping StoreCompletion<[CopyOutcome]>
    ) {
        var sealed: [SealedSecret?] = []
        for (index, row) in rows.enumerated() {
            guard let factor = secondFactors[row.id], let ids else {
                sealed.append(nil)
                continue
            }
            guard let secret = factor.seal(ids[index]) else {
                return completion(.failure(CopiedSecondFactor.sealingFailed))
            }
            sealed.append(secret)
        }
        let factors = rows.map { secondFactors[$0.id] }
        let steps: [PostgreSQLJob.Step] = [
            .init(statement: .lockUsers, parameters: []),
            .init(
                statement: .copyUsers,
                parameters: [
                    .text(Self.arrayLiteral(rows.map(\.email))), .text(Self.arrayLiteral(rows.map(\.hashedPassword))),
                    .text(Self.arrayLiteral(rows.map(\.sessionID))), .text(Self.arrayLiteral(rows.map(\.resetToken))),
                    .text(Self.arrayLiteral(rows.map { $0.sessionCreatedAt.map(String.init) })),
                    .text(Self.arrayLiteral(rows.map { $0.resetTokenCreatedAt.map(String.init) })),
                    .text(Self.arrayLiteral(rows.indices.map { index in ids.map { String($0[index]) } })),
                    .text(Self.arrayLiteral(sealed.map { $0?.keyID })),
                    .text(Self.arrayLiteral(sealed.map { $0?.sealed })),
                    .text(Self.arrayLiteral(factors.map { $0.map { String($0.isEnabled) } })),
                    .text(Self.arrayLiteral(factors.map { $0?.lastStep.map(String.init) })),
                    // Hex digests hold no comma.
                    .text(Self.arrayLiteral(factors.map { $0?.recoveryCodeDigests.joined(separator: ",") })),
                ]),
        ]
        queue.submit(
            writes: true, steps,
            decode: { results in
                let decided = results[1]
                return (0..<decided.rowCount).map { row in
                    switch decided.string(row: row, column: 0) {
                    case "added": .added
                    case "present": .alreadyPresent
                    case "differs": .conflict(.differs(stored: decided.user(row: row, offset: 1)))
                    case "factor": .conflict(.otherSecondFactor(stored: decided.user(row: row, offset: 1)))
                    case "twin": .conflict(.caseVariant(stored: decided.user(row: row, offset: 1)))
                    default: .conflict(.repeated)
                    }
                }
            }, completion: completion)
    }

    /// A PostgreSQL array literal of `values` (`{"a","b",NULL}`): each element quoted, with `"` and
    /// `\` escaped, so any text survives; nil is NULL.
    static func arrayLiteral(_ values: [String?]) -> String {
        let elements = values.map { value in
            guard let value else { return "NULL" }
            var quoted = "\""
            for character in value.unicodeScalars {
                if character == "\"" || character == "\\" { quoted.unicodeScalars.append("\\") }
                quoted.unicodeScalars.append(character)
            }
            return quoted + "\""
        }
        return "{" + elements.joined(separator: ",") + "}"
    }
}

extension PostgreSQLStatement {
    /// Holds off every other write to `users` (a sign-up on any node, a login) until the copy
    /// commits, so the statement after it decides on rows nobody changes meanwhile. The table
    /// rather than `lockFoldedEmail`'s lock per email: a large file would need more lock slots than
    /// the server has (`max_locks_per_transaction`), and a migration is rare and brief.
    static let lockUsersSQL = "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"

    /// `$1` values of the users table's id sequence, for rows whose second factor must be sealed
    /// to their id before they are inserted.
    static let reserveUserIDsSQL = """
        SELECT nextval(pg_get_serial_sequence('users', 'id')) FROM generate_series(1, $1::bigint)
        """

    /// Decides each row of the arrays `$1`...`$6` (email, hash, session id, reset token, their
    /// creation times) in order, as `CopyOutcome.outcomes` does: `repeated` (an earlier row has its
    /// email), `present`, `differs` or `factor` (a stored user has it, with the same columns or not,
    /// and with an enabled TOTP where the row has none or the other way round), `twin` (a stored
    /// email equal ignoring case that no row has), else `added`; inserts the added rows, in order,
    /// only when no row is repeated, differs or a twin (a data-modifying WITH runs whether or not
    /// the query reads it), under the ids of `$7` (NULL: the sequence's next), with the second
    /// factors of `$8`...`$12` (key id, sealed secret, enabled, last step, recovery-code digests
    /// joined by commas; NULL key id: none). An id from the sequence never held a user, so no
    /// second factor is left under it. One row per given row: the outcome, then the stored user
    /// it names (NULL columns when none). Near linear in the rows, so a large file copies in one
    /// go: a window finds repeats, and the twin lookup runs only without an exact match, against
    /// a hashed set.
    static let copyUsersSQL = """
        WITH given AS (SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], \
        $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::boolean[], $11::bigint[], $12::text[]) \
        WITH ORDINALITY AS g(email, hashed_password, session_id, reset_token, session_ms, token_ms, given_id, \
        key_id, sealed_secret, totp_enabled, last_step, digests, n)), \
        judged AS (SELECT g.*, exact.id AS exact_id, twin.id AS twin_id, \
        row_number() OVER (PARTITION BY g.email ORDER BY g.n) > 1 AS repeated, \
        (exact.hashed_password = g.hashed_password AND exact.session_id IS NOT DISTINCT FROM g.session_id \
        AND exact.reset_token IS NOT DISTINCT FROM g.reset_token \
        AND exact.authd_session_created_ms IS NOT DISTINCT FROM g.session_ms \
        AND exact.authd_reset_token_created_ms IS NOT DISTINCT FROM g.token_ms) AS same, \
        EXISTS (SELECT 1 FROM authd_totp t WHERE t.user_id = exact.id AND t.enabled) AS exact_totp \
        FROM given g \
        LEFT JOIN LATERAL (SELECT * FROM users u WHERE u.email = g.email ORDER BY u.id LIMIT 1) exact ON true \
        LEFT JOIN LATERAL (SELECT u.id FROM users u WHERE exact.id IS NULL \
        AND \(folded("u.email")) = \(folded("g.email")) \
        AND u.email NOT IN (SELECT email FROM given) ORDER BY u.id LIMIT 1) twin ON true), \
        decided AS (SELECT *, CASE WHEN repeated THEN 'repeated' \
        WHEN exact_id IS NOT NULL THEN CASE WHEN same IS NOT TRUE THEN 'differs' \
        WHEN exact_totp <> COALESCE(totp_enabled, false) THEN 'factor' ELSE 'present' END \
        WHEN twin_id IS NOT NULL THEN 'twin' ELSE 'added' END AS outcome FROM judged), \
        writing AS (SELECT * FROM decided WHERE outcome = 'added' \
        AND NOT EXISTS (SELECT 1 FROM decided WHERE outcome NOT IN ('added', 'present'))), \
        inserted AS (INSERT INTO users (id, email, hashed_password, session_id, reset_token, \
        authd_session_created_ms, authd_reset_token_created_ms) \
        SELECT COALESCE(given_id, nextval(pg_get_serial_sequence('users', 'id'))), email, hashed_password, \
        session_id, reset_token, session_ms, token_ms FROM writing ORDER BY n RETURNING id), \
        totp AS (INSERT INTO authd_totp (user_id, key_id, sealed_secret, enabled, last_step) \
        SELECT given_id, key_id, sealed_secret, totp_enabled, last_step FROM writing WHERE key_id IS NOT NULL), \
        codes AS (INSERT INTO authd_recovery_codes (user_id, digest) \
        SELECT w.given_id, c.digest FROM writing w, unnest(string_to_array(w.digests, ',')) AS c(digest) \
        WHERE w.key_id IS NOT NULL) \
        SELECT d.outcome, u.id, u.email, u.hashed_password, u.session_id, u.reset_token, u.authd_session_created_ms, \
        u.authd_reset_token_created_ms FROM decided d \
        LEFT JOIN users u ON u.id = CASE WHEN d.outcome = 'twin' THEN d.twin_id ELSE d.exact_id END \
        ORDER BY d.n
        """
}
