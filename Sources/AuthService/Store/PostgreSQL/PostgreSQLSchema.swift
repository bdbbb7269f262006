/// Creates and upgrades authd's tables in PostgreSQL: the seed's `users` table in PostgreSQL types
/// with authd's columns, and authd's own tables. Each version is a list of statements applied once,
/// recorded in `authd_schema_version`; all of it runs in one transaction holding an advisory lock,
/// so nodes starting together wait for each other instead of racing. A later version is appended to
/// `versions`, never an earlier one edited. Never deletes data.
enum PostgreSQLSchema {
    /// The advisory lock (the two-key form, apart from the one-key email locks) held while upgrading.
    private static let lockKeys: (Int64, Int64) = (0x6175_7468, 0x7363_6865)  // "auth", "sche"

    /// Version `n` is `versions[n - 1]`.
    static let versions: [[String]] = [
        [
            // `IF NOT EXISTS` and nullable columns: a table the seed's service made on PostgreSQL is kept.
            """
            CREATE TABLE IF NOT EXISTS users (id BIGSERIAL PRIMARY KEY, email VARCHAR(250) NOT NULL, \
            hashed_password VARCHAR(250) NOT NULL, session_id VARCHAR(250), reset_token VARCHAR(250))
            """,
            "ALTER TABLE users ADD COLUMN IF NOT EXISTS authd_session_created_ms BIGINT",
            "ALTER TABLE users ADD COLUMN IF NOT EXISTS authd_reset_token_created_ms BIGINT",
            "CREATE UNIQUE INDEX IF NOT EXISTS authd_users_email_unique ON users (email)",
            "CREATE INDEX IF NOT EXISTS authd_users_email_folded ON users (\(PostgreSQLStatement.folded("email")))",
            "CREATE INDEX IF NOT EXISTS authd_users_session_id ON users (session_id)",
            "CREATE INDEX IF NOT EXISTS authd_users_reset_token ON users (reset_token)",
            // As SQLite's `authd_outbox`, plus the lease of the node sending a mail (unix ms, 0 when none).
            """
            CREATE TABLE IF NOT EXISTS authd_outbox (id BIGSERIAL PRIMARY KEY, user_id BIGINT NOT NULL, \
            recipient VARCHAR(250) NOT NULL, token VARCHAR(250) NOT NULL, requested_by TEXT NOT NULL, \
            created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, attempts INTEGER NOT NULL, \
            next_attempt_ms BIGINT NOT NULL, lease_until_ms BIGINT NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX IF NOT EXISTS authd_outbox_next_attempt ON authd_outbox (next_attempt_ms)",
            // One mail per user, also when two nodes queue one at once.
            "CREATE UNIQUE INDEX IF NOT EXISTS authd_outbox_user ON authd_outbox (user_id)",
            "CREATE TABLE IF NOT EXISTS authd_reset_requests (id INTEGER PRIMARY KEY, requested_ms BIGINT NOT NULL)",
        ],
        PostgreSQLLoginLimitsSchema.statements,
        // As SQLite's second-factor tables (`SQLiteSecondFactors`).
        [
            """
            CREATE TABLE IF NOT EXISTS authd_totp (user_id BIGINT PRIMARY KEY, key_id TEXT NOT NULL, \
            sealed_secret TEXT NOT NULL, enabled BOOLEAN NOT NULL, last_step BIGINT)
            """,
            """
            CREATE TABLE IF NOT EXISTS authd_recovery_codes (user_id BIGINT NOT NULL, digest TEXT NOT NULL, \
            PRIMARY KEY (user_id, digest))
            """,
        ],
        [
            // As SQLite's `authd_sessions` (see `SQLiteSessions`).
            """
            CREATE TABLE IF NOT EXISTS authd_sessions (digest VARCHAR(250) PRIMARY KEY, user_id BIGINT NOT NULL, \
            handle BIGINT NOT NULL, created_ms BIGINT NOT NULL, last_seen_ms BIGINT NOT NULL, address TEXT NOT NULL, \
            user_agent TEXT NOT NULL, assurance SMALLINT NOT NULL DEFAULT 1)
            """,
            "CREATE UNIQUE INDEX IF NOT EXISTS authd_sessions_handle ON authd_sessions (handle)",
            "CREATE INDEX IF NOT EXISTS authd_sessions_user ON authd_sessions (user_id, last_seen_ms)",
        ],
        [
            // Reset mails per account (`ResetMailLimit`), as SQLite's table.
            """
            CREATE TABLE IF NOT EXISTS authd_reset_mail_limits (account TEXT PRIMARY KEY, \
            window_start_ms BIGINT NOT NULL, mails INTEGER NOT NULL, last_ms BIGINT NOT NULL)
            """
        ],
    ]

    /// Brings the database to the newest version, on a connection still in blocking mode.
    static func prepare(_ connection: PostgreSQLConnection) throws(StoreError) {
        // Notices ("already exists, skipping") would go to stderr at every start.
        try connection.execute("SET client_min_messages = warning")
        try connection.execute("BEGIN")
        do throws(StoreError) {
            try connection.execute(
                "SELECT pg_advisory_xact_lock($1::int, $2::int)", [.integer(lockKeys.0), .integer(lockKeys.1)])
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS authd_schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), \
                version INTEGER NOT NULL)
                """)
            let found = try connection.execute("SELECT version FROM authd_schema_version WHERE id = 1")
            let current = found.first?.first.flatMap { $0.flatMap { Int($0) } } ?? 0
            guard current <= versions.count else {
                throw StoreError.failure(
                    code: 0, message: "schema version \(current) is newer than this authd's \(versions.count)")
            }
            for statements in versions.dropFirst(current) {
                for statement in statements { try connection.execute(statement) }
            }
            try connection.execute(
                """
                INSERT INTO authd_schema_version (id, version) VALUES (1, $1) \
                ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version
                """, [.integer(Int64(versions.count))])
            try connection.execute("COMMIT")
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }
}
