/// Schema version 2: the login limits several nodes count together (`SharedLoginLimits`). One row
/// per key (kind 1 a pair of account and client, 2 an account); the functions are
/// `SharedLimitRow`'s `admit` and `end` step for step, each one statement, so a node's admission is
/// atomic under the rows' locks and needs one round trip.
enum PostgreSQLLoginLimitsSchema {
    static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS authd_login_limits (kind SMALLINT NOT NULL, key TEXT NOT NULL,
            window_start_ms BIGINT NOT NULL, failures INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 0,
            pending_until_ms BIGINT NOT NULL DEFAULT 0, strikes INTEGER NOT NULL DEFAULT 0,
            blocked_until_ms BIGINT NOT NULL DEFAULT 0, next_slot_ms BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (kind, key))
        """,
        """
        CREATE OR REPLACE FUNCTION authd_limit_verdict(r authd_login_limits, now_ms BIGINT, lim INTEGER, window_ms BIGINT,
            slot_ms BIGINT, exempt BOOLEAN) RETURNS INTEGER LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE
                WHEN lim <= 0 OR exempt OR (now_ms >= r.blocked_until_ms
                    AND (CASE WHEN now_ms - r.window_start_ms < window_ms THEN r.failures ELSE 0 END)
                        + (CASE WHEN now_ms < r.pending_until_ms THEN r.pending ELSE 0 END) < lim) THEN 0
                WHEN slot_ms IS NOT NULL AND now_ms >= r.next_slot_ms THEN -1
                WHEN slot_ms IS NOT NULL THEN ((r.next_slot_ms - now_ms + 999) / 1000)::INTEGER
                WHEN now_ms < r.blocked_until_ms THEN ((r.blocked_until_ms - now_ms + 999) / 1000)::INTEGER
                ELSE -2 END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION authd_login_admit(pair_key TEXT, account_key TEXT, owner BOOLEAN, now_ms BIGINT,
            pair_limit INTEGER, pair_window_ms BIGINT, account_limit INTEGER, account_window_ms BIGINT, slot_ms BIGINT,
            lease_ms BIGINT, OUT refused_kind SMALLINT, OUT wait_seconds INTEGER) LANGUAGE plpgsql AS $$
        DECLARE
            pair authd_login_limits;
            account authd_login_limits;
            pair_verdict INTEGER := 0;
            account_verdict INTEGER := 0;
        BEGIN
            -- Now and then, rows that no longer count go: the table stays as small as the keys in use.
            IF random() < 0.01 THEN
                DELETE FROM authd_login_limits WHERE ctid = ANY (ARRAY(SELECT ctid FROM authd_login_limits
                    WHERE window_start_ms < now_ms - greatest(pair_window_ms, account_window_ms)
                    AND blocked_until_ms < now_ms - greatest(pair_window_ms, account_window_ms)
                    AND pending_until_ms < now_ms AND next_slot_ms < now_ms LIMIT 100 FOR UPDATE SKIP LOCKED));
            END IF;
            -- The pair's row first, then the account's: every admission locks in this order, so none deadlock.
            IF pair_limit > 0 THEN
                INSERT INTO authd_login_limits (kind, key, window_start_ms) VALUES (1, pair_key, now_ms)
                    ON CONFLICT DO NOTHING;
                SELECT * INTO pair FROM authd_login_limits WHERE kind = 1 AND key = pair_key FOR UPDATE;
                pair_verdict := authd_limit_verdict(pair, now_ms, pair_limit, pair_window_ms, NULL, FALSE);
                IF pair_verdict > 0 OR pair_verdict = -2 THEN
                    refused_kind := 1;
                    wait_seconds := pair_verdict;
                    RETURN;
                END IF;
            END IF;
            IF account_limit > 0 THEN
                INSERT INTO authd_login_limits (kind, key, window_start_ms) VALUES (2, account_key, now_ms)
                    ON CONFLICT DO NOTHING;
                SELECT * INTO account FROM authd_login_limits WHERE kind = 2 AND key = account_key FOR UPDATE;
                account_verdict := authd_limit_verdict(account, now_ms, account_limit, account_window_ms, slot_ms, owner);
                IF account_verdict > 0 THEN
                    refused_kind := 2;
                    wait_seconds := account_verdict;
                    RETURN;
                END IF;
            END IF;
            -- Admitted by both: it counts as under way on both until its end or its lease.
            UPDATE authd_login_limits SET
                pending = (CASE WHEN now_ms < pending_until_ms THEN pending ELSE 0 END) + 1,
                pending_until_ms = now_ms + lease_ms,
                next_slot_ms = CASE WHEN kind = 2 AND account_verdict = -1 THEN now_ms + slot_ms ELSE next_slot_ms END
            WHERE (kind = 1 AND key = pair_key AND pair_limit > 0) OR (kind = 2 AND key = account_key AND account_limit > 0);
        END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION authd_limit_end(key_kind SMALLINT, key_name TEXT, now_ms BIGINT, lim INTEGER,
            window_ms BIGINT, backoff_ms BIGINT, failed BOOLEAN, clears BOOLEAN) RETURNS VOID LANGUAGE plpgsql AS $$
        DECLARE
            r authd_login_limits;
        BEGIN
            IF lim <= 0 THEN
                RETURN;
            END IF;
            SELECT * INTO r FROM authd_login_limits WHERE kind = key_kind AND key = key_name FOR UPDATE;
            IF NOT FOUND THEN
                RETURN;
            END IF;
            r.pending := CASE WHEN now_ms < r.pending_until_ms THEN greatest(0, r.pending - 1) ELSE 0 END;
            IF failed THEN
                IF now_ms - r.window_start_ms >= window_ms THEN
                    r.window_start_ms := now_ms;
                    r.failures := 0;
                    -- A whole window without a block since the last one: the backoff starts over.
                    IF now_ms - r.blocked_until_ms >= window_ms THEN
                        r.strikes := 0;
                    END IF;
                END IF;
                r.failures := r.failures + 1;
                IF r.failures >= lim THEN
                    r.strikes := least(r.strikes + 1, 32);
                    r.blocked_until_ms := now_ms
                        + least(backoff_ms::NUMERIC * power(2::NUMERIC, r.strikes - 1), window_ms::NUMERIC)::BIGINT;
                    r.failures := lim - 1;
                END IF;
            END IF;
            IF clears THEN
                r.failures := 0;
                r.strikes := 0;
                r.blocked_until_ms := 0;
            END IF;
            UPDATE authd_login_limits SET window_start_ms = r.window_start_ms, failures = r.failures, pending = r.pending,
                strikes = r.strikes, blocked_until_ms = r.blocked_until_ms
            WHERE kind = key_kind AND key = key_name;
        END
        $$
        """,
    ]
}
