extension PostgreSQLUserStore {
    /// See `UserStore.copyUsers`. Two statements in one job: a lock on the table, then one
    /// statement that decides every row and inserts the `.added` ones only if none conflicts. The
    /// rules are `CopyOutcome.outcomes`, written in SQL because a pipelined job cannot wait for a
    /// read before it writes; the contract suite holds both to the same answers. The rows travel
    /// as six array parameters, one per column.
    public func copyUsers(_ rows: [User], completion: @escaping StoreCompletion<[CopyOutcome]>) {
        let emails = Self.arrayLiteral(rows.map(\.email))
        let steps: [PostgreSQLJob.Step] = [
            .init(statement: .lockUsers, parameters: []),
            .init(
                statement: .copyUsers,
                parameters: [
                    .text(emails), .text(Self.arrayLiteral(rows.map(\.hashedPassword))),
                    .text(Self.arrayLiteral(rows.map(\.sessionID))), .text(Self.arrayLiteral(rows.map(\.resetToken))),
                    .text(Self.arrayLiteral(rows.map { $0.sessionCreatedAt.map(String.init) })),
                    .text(Self.arrayLiteral(rows.map { $0.resetTokenCreatedAt.map(String.init) })),
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

    /// Decides each row of the arrays `$1`...`$6` (email, hash, session id, reset token, their
    /// creation times) in order, as `CopyOutcome.outcomes` does: `repeated` (an earlier row has its
    /// email), `present` or `differs` (a stored user has it, with the same columns or not), `twin`
    /// (a stored email equal ignoring case that no row has), else `added`; inserts the added rows,
    /// in order, only when no row is repeated, differs or a twin (a data-modifying WITH runs whether
    /// or not the query reads it). One row per given row: the outcome, then the stored user it names
    /// (NULL columns when none). Near linear in the rows, so a large file copies in one go: a window
    /// finds repeats, and the twin lookup runs only without an exact match, against a hashed set.
    static let copyUsersSQL = """
        WITH given AS (SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], \
        $5::bigint[], $6::bigint[]) WITH ORDINALITY AS g(email, hashed_password, session_id, reset_token, \
        session_ms, token_ms, n)), \
        judged AS (SELECT g.*, exact.id AS exact_id, twin.id AS twin_id, \
        row_number() OVER (PARTITION BY g.email ORDER BY g.n) > 1 AS repeated, \
        (exact.hashed_password = g.hashed_password AND exact.session_id IS NOT DISTINCT FROM g.session_id \
        AND exact.reset_token IS NOT DISTINCT FROM g.reset_token \
        AND exact.authd_session_created_ms IS NOT DISTINCT FROM g.session_ms \
        AND exact.authd_reset_token_created_ms IS NOT DISTINCT FROM g.token_ms) AS same \
        FROM given g \
        LEFT JOIN LATERAL (SELECT * FROM users u WHERE u.email = g.email ORDER BY u.id LIMIT 1) exact ON true \
        LEFT JOIN LATERAL (SELECT u.id FROM users u WHERE exact.id IS NULL \
        AND \(folded("u.email")) = \(folded("g.email")) \
        AND u.email NOT IN (SELECT email FROM given) ORDER BY u.id LIMIT 1) twin ON true), \
        decided AS (SELECT *, CASE WHEN repeated THEN 'repeated' \
        WHEN exact_id IS NOT NULL THEN CASE WHEN same THEN 'present' ELSE 'differs' END \
        WHEN twin_id IS NOT NULL THEN 'twin' ELSE 'added' END AS outcome FROM judged), \
        inserted AS (INSERT INTO users (email, hashed_password, session_id, reset_token, authd_session_created_ms, \
        authd_reset_token_created_ms) SELECT email, hashed_password, session_id, reset_token, session_ms, token_ms \
        FROM decided WHERE outcome = 'added' \
        AND NOT EXISTS (SELECT 1 FROM decided WHERE outcome NOT IN ('added', 'present')) ORDER BY n RETURNING id) \
        SELECT d.outcome, u.id, u.email, u.hashed_password, u.session_id, u.reset_token, u.authd_session_created_ms, \
        u.authd_reset_token_created_ms FROM decided d \
        LEFT JOIN users u ON u.id = CASE WHEN d.outcome = 'twin' THEN d.twin_id ELSE d.exact_id END \
        ORDER BY d.n
        """
}
