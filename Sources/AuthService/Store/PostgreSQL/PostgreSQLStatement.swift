/// Every statement the PostgreSQL store runs, prepared once per connection under its case name.
/// Each operation is one statement (or a few that need no answer in between), so a whole batch
/// leaves in one round trip; values always travel as parameters.
enum PostgreSQLStatement: String, CaseIterable {
    case insertUser
    case insertUserUnlessCaseVariant
    case lockFoldedEmail
    case selectByEmail
    case selectByEmailIgnoringCase
    case replaceHash
    case selectNewestHashes
    case selectBySession
    case selectSessionHolder
    case selectByResetToken
    case startSession
    case insertSession
    case evictSessions
    case endSessionRow
    case endSession
    case selectSessionsOfUser
    case endSessionByHandle
    case endSessionsOfUser
    case touchSession
    case renewSessionColumn
    case renewSession
    case consumeResetTokenKeepingSession
    case issueResetToken
    case clearResetToken
    case consumeResetToken
    case selectAll
    case deleteByID
    case endSessionsByEmail
    case setPasswordByEmail
    case noteResetRequest
    case queueResetMail
    case claimDueMails
    case deferMail
    case removeMail
    case dropMailWithoutToken
    case dropMailOfUser
    case renewMailClaim
    case admitLogin
    case endLoginLimit
    case lockUsers
    case reserveUserIDs
    case copyUsers
    case selectTOTP
    case setPendingTOTP
    case enableTOTP
    case claimTOTPStep
    case useRecoveryCode
    case removeTOTP
    case selectTOTPUsers
    case selectTOTPKeyIDs
    case dropSecondFactorsWithoutUser
    case ping

    static let userColumns = """
        id, email, hashed_password, session_id, reset_token, authd_session_created_ms, authd_reset_token_created_ms
        """
    /// A session's columns, in `PostgreSQLResult.session(row:)`'s order.
    static let sessionColumns = "handle, user_id, created_ms, last_seen_ms, address, user_agent, assurance"
    static let mailColumns = """
        id, user_id, recipient, token, requested_by, created_ms, expires_ms, attempts, next_attempt_ms
        """

    /// ASCII letters only, as SQLite's NOCASE: `lower()` follows the database's locale and would
    /// fold `É` too. The expression index `authd_users_email_folded` is built on exactly this.
    static func folded(_ expression: String) -> String {
        "translate(\(expression), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    }

    /// The first user whose session id is `$1` (the stored form) or else `$2` (a legacy raw value, or NULL).
    private static let sessionMatch = "(session_id = $1 OR session_id = $2)"
    private static let sessionOrder = "ORDER BY session_id <> $1, id LIMIT 1"
    /// The same for reset tokens, of the user with email `$3`.
    private static let tokenMatch = "(reset_token = $1 OR reset_token = $2)"
    private static let tokenUser = """
        (SELECT id FROM users WHERE \(tokenMatch) AND email = $3 ORDER BY reset_token <> $1, id LIMIT 1)
        """
    private static let clearedPassword = """
        reset_token = NULL, authd_reset_token_created_ms = NULL, session_id = NULL, authd_session_created_ms = NULL
        """
    /// In a WITH whose `changed` names a user: ends every session of it.
    private static let endSessionsOfChanged = """
        ended AS (DELETE FROM authd_sessions USING changed WHERE authd_sessions.user_id = changed.id)
        """
    private static let firstByEmail = "(SELECT id FROM users WHERE email = $1 ORDER BY id LIMIT 1)"

    var sql: String {
        let columns = Self.userColumns
        switch self {
        case .insertUser:
            return
                "INSERT INTO users (email, hashed_password) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id"
        case .insertUserUnlessCaseVariant:
            // Run after `lockFoldedEmail` in the same transaction, so this statement's snapshot
            // already sees a case variant another node committed while holding that lock.
            return """
                INSERT INTO users (email, hashed_password) SELECT $1::varchar, $2::varchar \
                WHERE NOT EXISTS (SELECT 1 FROM users WHERE \(Self.folded("email")) = \(Self.folded("$1::varchar"))) \
                ON CONFLICT (email) DO NOTHING RETURNING id
                """
        case .lockFoldedEmail:
            // Serializes adds of one email ignoring case across nodes until COMMIT: no UNIQUE index
            // can, since a seed-made table may hold case variants.
            return "SELECT pg_advisory_xact_lock(hashtextextended(\(Self.folded("$1::text")), 0))"
        case .selectByEmail:
            return "SELECT \(columns) FROM users WHERE email = $1 ORDER BY id LIMIT 1"
        case .selectByEmailIgnoringCase:
            // Two rows are enough to tell one match from several.
            return
                "SELECT \(columns) FROM users WHERE \(Self.folded("email")) = \(Self.folded("$1::varchar")) ORDER BY id LIMIT 2"
        case .replaceHash:
            // Text equality is byte equality under PostgreSQL's deterministic collations.
            return "UPDATE users SET hashed_password = $3 WHERE id = $1 AND hashed_password = $2"
        case .selectNewestHashes:
            return "SELECT hashed_password FROM users ORDER BY id DESC LIMIT $1"
        case .selectBySession:
            return """
                SELECT \(columns) FROM users WHERE id = coalesce(\
                (SELECT user_id FROM authd_sessions WHERE digest = $1 OR digest = $2 ORDER BY digest <> $1 LIMIT 1), \
                (SELECT id FROM users WHERE \(Self.sessionMatch) \(Self.sessionOrder)))
                """
        case .selectSessionHolder:
            // The session's row; only when there is none (so the second branch runs on a miss only,
            // and LIMIT stops after the first), the seed's column, without a handle, and not for a
            // user whose second factor is on: such a session proved the password alone.
            return """
                SELECT users.id, users.email, s.created_ms, s.handle, s.last_seen_ms, s.assurance \
                FROM authd_sessions AS s JOIN users ON users.id = s.user_id WHERE s.digest = $1 \
                UNION ALL (SELECT id, email, authd_session_created_ms, NULL, NULL, 1 FROM users \
                WHERE \(Self.sessionMatch) AND NOT EXISTS (SELECT 1 FROM authd_sessions WHERE digest = $1) \
                AND NOT EXISTS (SELECT 1 FROM authd_totp WHERE user_id = users.id AND enabled) \
                \(Self.sessionOrder)) LIMIT 1
                """
        case .selectByResetToken:
            return "SELECT \(columns) FROM users WHERE id = \(Self.tokenUser)"
        case .startSession:
            return """
                UPDATE users SET session_id = $2, authd_session_created_ms = $3, reset_token = NULL, \
                authd_reset_token_created_ms = NULL WHERE id = $1
                """
        case .insertSession:
            return """
                INSERT INTO authd_sessions (digest, user_id, handle, created_ms, last_seen_ms, address, user_agent, \
                assurance) SELECT $1::varchar, $2::bigint, $3::bigint, $4::bigint, $5::bigint, $6::text, $7::text, $8::smallint \
                WHERE EXISTS (SELECT 1 FROM users WHERE id = $2::bigint)
                """
        case .evictSessions:
            // The user's sessions but the newest `$3` besides `$2`, the one just made.
            return """
                DELETE FROM authd_sessions WHERE digest IN (SELECT digest FROM authd_sessions \
                WHERE user_id = $1 AND handle <> $2 ORDER BY last_seen_ms DESC, created_ms DESC OFFSET $3) \
                RETURNING handle, last_seen_ms, created_ms
                """
        case .endSessionRow:
            // The user as it was, with the session's id and creation time, and its handle.
            return """
                WITH gone AS (DELETE FROM authd_sessions WHERE digest = $1 OR digest = $2 \
                RETURNING digest, user_id, handle, created_ms), \
                cleared AS (UPDATE users SET session_id = NULL, authd_session_created_ms = NULL FROM gone \
                WHERE users.id = gone.user_id AND users.session_id = gone.digest) \
                SELECT users.id, users.email, users.hashed_password, gone.digest, users.reset_token, gone.created_ms, \
                users.authd_reset_token_created_ms, gone.handle FROM gone JOIN users ON users.id = gone.user_id LIMIT 1
                """
        case .selectSessionsOfUser:
            return
                "SELECT \(Self.sessionColumns) FROM authd_sessions WHERE user_id = $1 ORDER BY created_ms DESC, handle"
        case .endSessionByHandle:
            return """
                WITH gone AS (DELETE FROM authd_sessions WHERE handle = $1 AND user_id = $2 RETURNING digest, user_id), \
                cleared AS (UPDATE users SET session_id = NULL, authd_session_created_ms = NULL FROM gone \
                WHERE users.id = gone.user_id AND users.session_id = gone.digest) \
                SELECT count(*) FROM gone
                """
        case .endSessionsOfUser:
            return """
                WITH kept AS (SELECT digest FROM authd_sessions WHERE handle = $2 AND user_id = $1), \
                gone AS (DELETE FROM authd_sessions WHERE user_id = $1 AND handle IS DISTINCT FROM $2 RETURNING handle), \
                cleared AS (UPDATE users SET session_id = NULL, authd_session_created_ms = NULL WHERE id = $1 \
                AND session_id IS NOT NULL AND session_id IS DISTINCT FROM (SELECT digest FROM kept)) \
                SELECT handle FROM gone
                """
        case .touchSession:
            return "UPDATE authd_sessions SET last_seen_ms = greatest(last_seen_ms, $2) WHERE handle = $1"
        case .renewSessionColumn:
            // Before `renewSession`, in its transaction, while the row still has its old id.
            return """
                UPDATE users SET session_id = $3 WHERE id = $1 AND session_id = \
                (SELECT digest FROM authd_sessions WHERE handle = $2 AND user_id = $1)
                """
        case .renewSession:
            return "UPDATE authd_sessions SET digest = $3, assurance = $4 WHERE handle = $2 AND user_id = $1"
        case .endSession:
            // The row as it was before: a data-modifying WITH returns the snapshot's values.
            return """
                WITH found AS (SELECT \(columns) FROM users WHERE \(Self.sessionMatch) \(Self.sessionOrder) FOR UPDATE), \
                cleared AS (UPDATE users SET session_id = NULL, authd_session_created_ms = NULL \
                FROM found WHERE users.id = found.id) \
                SELECT * FROM found
                """
        case .issueResetToken:
            return """
                UPDATE users SET reset_token = $2, authd_reset_token_created_ms = $3 WHERE id = \(Self.firstByEmail) \
                RETURNING \(columns)
                """
        case .clearResetToken:
            return """
                UPDATE users SET reset_token = NULL, authd_reset_token_created_ms = NULL \
                WHERE id = \(Self.tokenUser) AND \(Self.tokenMatch) RETURNING id
                """
        case .consumeResetToken:
            return """
                WITH changed AS (UPDATE users SET hashed_password = $4, \(Self.clearedPassword) \
                WHERE id = \(Self.tokenUser) AND \(Self.tokenMatch) RETURNING \(columns)), \
                \(Self.endSessionsOfChanged) SELECT * FROM changed
                """
        case .consumeResetTokenKeepingSession:
            return """
                UPDATE users SET hashed_password = $4, reset_token = NULL, authd_reset_token_created_ms = NULL \
                WHERE id = \(Self.tokenUser) AND \(Self.tokenMatch) RETURNING \(columns)
                """
        case .selectAll:
            return "SELECT \(columns) FROM users ORDER BY id"
        case .deleteByID:
            return """
                WITH changed AS (DELETE FROM users WHERE id = $1 RETURNING \(columns)), \
                \(Self.endSessionsOfChanged) SELECT * FROM changed
                """
        case .endSessionsByEmail:
            return """
                WITH changed AS (SELECT \(columns) FROM users WHERE email = $1 ORDER BY id LIMIT 1 FOR UPDATE), \
                cleared AS (UPDATE users SET session_id = NULL, authd_session_created_ms = NULL \
                FROM changed WHERE users.id = changed.id AND changed.session_id IS NOT NULL), \
                \(Self.endSessionsOfChanged) SELECT * FROM changed
                """
        case .setPasswordByEmail:
            return """
                WITH changed AS (UPDATE users SET hashed_password = $2, \(Self.clearedPassword) \
                WHERE id = \(Self.firstByEmail) RETURNING \(columns)), \
                \(Self.endSessionsOfChanged) SELECT * FROM changed
                """
        case .noteResetRequest:
            return """
                INSERT INTO authd_reset_requests (id, requested_ms) VALUES (1, $1) \
                ON CONFLICT (id) DO UPDATE SET requested_ms = EXCLUDED.requested_ms
                """
        case .queueResetMail:
            // The user named exactly, else the one named ignoring case; its account's count of mails
            // (`ResetMailLimit.admit` as one upsert, `$7` the account, `$8` mails per `$9` window, `$10`
            // the interval; a conflicting node's upsert waits for this row and sees its count); then,
            // when counted or unlimited, its token, and its one mail (a pending one is replaced under
            // a new id, so its token's mail is gone).
            return """
                WITH exact AS (SELECT id, email FROM users WHERE email = $1 ORDER BY id LIMIT 1), \
                folded AS (SELECT id, email FROM users WHERE \(Self.folded("email")) = \(Self.folded("$1::varchar")) \
                ORDER BY id LIMIT 2), \
                named AS (SELECT id, email FROM exact UNION ALL SELECT id, email FROM folded \
                WHERE NOT EXISTS (SELECT 1 FROM exact) AND (SELECT count(*) FROM folded) = 1), \
                counted AS (INSERT INTO authd_reset_mail_limits AS l (account, window_start_ms, mails, last_ms) \
                SELECT $7, $5::bigint, 1, $5::bigint FROM named WHERE $8::int > 0 \
                ON CONFLICT (account) DO UPDATE SET \
                window_start_ms = CASE WHEN $5::bigint - l.window_start_ms >= $9::bigint THEN $5::bigint \
                ELSE l.window_start_ms END, \
                mails = CASE WHEN $5::bigint - l.window_start_ms >= $9::bigint THEN 1 ELSE l.mails + 1 END, \
                last_ms = $5::bigint \
                WHERE $5::bigint - l.last_ms >= $10::bigint \
                AND ($5::bigint - l.window_start_ms >= $9::bigint OR l.mails < $8::int) RETURNING account), \
                token AS (UPDATE users SET reset_token = $2, authd_reset_token_created_ms = $5 FROM named \
                WHERE users.id = named.id AND ($8::int = 0 OR EXISTS (SELECT 1 FROM counted)) \
                RETURNING users.id, users.email) \
                INSERT INTO authd_outbox (user_id, recipient, token, requested_by, created_ms, expires_ms, attempts, \
                next_attempt_ms, lease_until_ms) SELECT id, email, $3, $4, $5::bigint, $6::bigint, 0, $5::bigint, 0 FROM token \
                ON CONFLICT (user_id) DO UPDATE SET id = EXCLUDED.id, recipient = EXCLUDED.recipient, \
                token = EXCLUDED.token, requested_by = EXCLUDED.requested_by, created_ms = EXCLUDED.created_ms, \
                expires_ms = EXCLUDED.expires_ms, attempts = 0, next_attempt_ms = EXCLUDED.next_attempt_ms, \
                lease_until_ms = 0 \
                RETURNING \(Self.mailColumns)
                """
        case .claimDueMails:
            // Claims the due mails no other node holds for a lease (`$3` now, `$4` the lease, in
            // milliseconds); SKIP LOCKED passes over rows another node is claiming right now. The
            // totals come from the snapshot before the claim, so they count the others as they were.
            return """
                WITH due AS (SELECT id FROM authd_outbox WHERE next_attempt_ms <= $1 AND lease_until_ms <= $3::bigint \
                ORDER BY next_attempt_ms, id LIMIT $2 FOR UPDATE SKIP LOCKED), \
                claimed AS (UPDATE authd_outbox SET lease_until_ms = $3::bigint + $4::bigint FROM due \
                WHERE authd_outbox.id = due.id RETURNING authd_outbox.*), \
                totals AS (SELECT (SELECT count(*) FROM authd_outbox) AS pending, \
                (SELECT min(greatest(next_attempt_ms, lease_until_ms)) FROM authd_outbox \
                WHERE id NOT IN (SELECT id FROM due)) AS next) \
                SELECT totals.pending, totals.next, claimed.id, claimed.user_id, claimed.recipient, claimed.token, \
                claimed.requested_by, claimed.created_ms, claimed.expires_ms, claimed.attempts, claimed.next_attempt_ms \
                FROM totals LEFT JOIN claimed ON true ORDER BY claimed.next_attempt_ms, claimed.id
                """
        case .deferMail:
            return "UPDATE authd_outbox SET attempts = $2, next_attempt_ms = $3, lease_until_ms = 0 WHERE id = $1"
        case .removeMail:
            return "DELETE FROM authd_outbox WHERE id = $1"
        case .dropMailOfUser:
            return "DELETE FROM authd_outbox WHERE user_id = $1"
        case .dropMailWithoutToken:
            // After a statement that cleared reset tokens or removed users, in its transaction: a
            // mail whose user no longer holds a token would carry one that no longer works.
            return """
                DELETE FROM authd_outbox WHERE NOT EXISTS \
                (SELECT 1 FROM users WHERE users.id = authd_outbox.user_id AND users.reset_token IS NOT NULL)
                """
        case .renewMailClaim:
            return "UPDATE authd_outbox SET lease_until_ms = $3 WHERE id = $1 AND lease_until_ms = $2"
        case .admitLogin:
            return """
                SELECT refused_kind, wait_seconds FROM authd_login_admit($1::text, $2::text, $3::boolean, $4::bigint, \
                $5::integer, $6::bigint, $7::integer, $8::bigint, $9::bigint, $10::bigint)
                """
        case .endLoginLimit:
            return """
                SELECT authd_limit_end($1::smallint, $2::text, $3::bigint, $4::integer, $5::bigint, $6::bigint, \
                $7::boolean, $8::boolean)
                """
        case .lockUsers:
            return Self.lockUsersSQL
        case .reserveUserIDs:
            return Self.reserveUserIDsSQL
        case .copyUsers:
            return Self.copyUsersSQL
        case .selectTOTP, .setPendingTOTP, .enableTOTP, .claimTOTPStep, .useRecoveryCode, .removeTOTP,
            .selectTOTPUsers, .selectTOTPKeyIDs, .dropSecondFactorsWithoutUser:
            return secondFactorSQL
        case .ping:
            return "SELECT 1"
        }
    }
}
