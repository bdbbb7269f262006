/// The second factor's statements (see `SQLiteSecondFactors` for the same in SQLite). Parameters
/// travel as text, so each is cast where PostgreSQL cannot infer its type.
extension PostgreSQLStatement {
    var secondFactorSQL: String {
        switch self {
        case .selectTOTP:
            return """
                SELECT key_id, sealed_secret, enabled::int, last_step, \
                (SELECT count(*) FROM authd_recovery_codes WHERE user_id = $1::bigint) \
                FROM authd_totp WHERE user_id = $1::bigint
                """
        case .setPendingTOTP:
            // Only for a user that exists, and never over an enabled secret.
            return """
                INSERT INTO authd_totp (user_id, key_id, sealed_secret, enabled, last_step) \
                SELECT $1::bigint, $2::text, $3::text, false, NULL WHERE EXISTS (SELECT 1 FROM users WHERE id = $1::bigint) \
                ON CONFLICT (user_id) DO UPDATE SET key_id = EXCLUDED.key_id, sealed_secret = EXCLUDED.sealed_secret \
                WHERE NOT authd_totp.enabled
                """
        case .enableTOTP:
            // `$5` is the digests joined by commas (hex digests hold none). Codes exist only beside
            // an enabled secret, so a pending one has none to replace.
            return """
                WITH enabled AS (UPDATE authd_totp SET enabled = true, last_step = $4::bigint \
                WHERE user_id = $1::bigint AND NOT enabled AND key_id = $2 AND sealed_secret = $3 RETURNING user_id), \
                codes AS (INSERT INTO authd_recovery_codes (user_id, digest) \
                SELECT enabled.user_id, digest FROM enabled, unnest(string_to_array($5::text, ',')) AS digest \
                ON CONFLICT DO NOTHING) \
                SELECT user_id FROM enabled
                """
        case .claimTOTPStep:
            // Of two nodes claiming a step at once, the second waits for the first's row lock, then
            // re-checks the condition against the row the first wrote, and changes nothing.
            return """
                UPDATE authd_totp SET last_step = $2::bigint \
                WHERE user_id = $1::bigint AND enabled AND (last_step IS NULL OR last_step < $2::bigint)
                """
        case .useRecoveryCode:
            return "DELETE FROM authd_recovery_codes WHERE user_id = $1::bigint AND digest = $2"
        case .removeTOTP:
            return """
                WITH codes AS (DELETE FROM authd_recovery_codes WHERE user_id = $1::bigint) \
                DELETE FROM authd_totp WHERE user_id = $1::bigint
                """
        case .selectTOTPUsers:
            return "SELECT user_id FROM authd_totp WHERE enabled"
        case .selectTOTPKeyIDs:
            return "SELECT DISTINCT key_id FROM authd_totp WHERE enabled"
        case .dropSecondFactorsWithoutUser:
            return """
                WITH codes AS (DELETE FROM authd_recovery_codes WHERE NOT EXISTS \
                (SELECT 1 FROM users WHERE users.id = authd_recovery_codes.user_id)) \
                DELETE FROM authd_totp WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = authd_totp.user_id)
                """
        default:
            preconditionFailure("\(self) is not a second-factor statement")
        }
    }
}
