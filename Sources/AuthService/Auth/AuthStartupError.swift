/// Why `Auth.init` failed; its description is one line for the operator that names what failed:
/// the setting and its value, the database file, the thread. Settings are named by their authd flag
/// (`--hash-queue`), the name an operator sets them by; a library caller reads it as the setting's name.
public enum AuthStartupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `bcryptCost` is outside 4...31.
    case bcryptCostOutOfRange(Int)
    /// `hashThreads` is below 1.
    case hashThreadsOutOfRange(Int)
    /// `hashQueueLimit` is below 1.
    case hashQueueLimitOutOfRange(Int)
    /// `busyTimeoutMilliseconds` is negative.
    case busyTimeoutOutOfRange(Int)
    /// `sessionLifetime` is not longer than zero.
    case sessionLifetimeOutOfRange(Lifetime)
    /// `resetTokenLifetime` is not longer than zero.
    case resetTokenLifetimeOutOfRange(Lifetime)
    /// `sessionsPerUser` is below 1.
    case sessionsPerUserOutOfRange(Int)
    /// `sessionIdleTimeout` is not longer than zero.
    case sessionIdleTimeoutOutOfRange(Lifetime)
    /// `throttling.emailFailureLimit` is negative.
    case emailFailureLimitOutOfRange(Int)
    /// `throttling.addressFailureLimit` is negative.
    case addressFailureLimitOutOfRange(Int)
    /// `throttling.addressRequestLimit` is negative.
    case addressRequestLimitOutOfRange(Int)
    /// `throttling.accountFailureLimit` is negative.
    case accountFailureLimitOutOfRange(Int)
    /// `throttling.accountWindow` is not longer than zero.
    case accountWindowOutOfRange(Lifetime)
    /// `throttling.window` is not longer than zero.
    case throttleWindowOutOfRange(Lifetime)
    /// `throttling.backoff` is not longer than zero.
    case throttleBackoffOutOfRange(Lifetime)
    /// `bcryptMaximumCost` is outside 4...31 or below `bcryptCost` (the second value).
    case bcryptMaximumCostOutOfRange(Int, cost: Int)
    /// `passwordMinimumLength` is outside 1...72.
    case passwordMinimumLengthOutOfRange(Int)
    /// `resetMail.from` is not a plain ASCII address.
    case mailFromInvalid(String)
    /// `resetMail.linkTemplate` breaks the rule given.
    case resetLinkInvalid(String, rule: String)
    /// `resetMail.timeout` is not within 1 ms...1 h.
    case smtpTimeoutOutOfRange(Lifetime)
    /// The database could not be opened or set up; the store's error names the file.
    case database(StoreError)
    /// libcrypt could not make a bcrypt setting (its errno): bcrypt is unavailable.
    case bcryptUnavailable(Int32)
    /// A thread could not be started (`pthread_create`'s error number).
    case threadStart(name: String, code: Int32)
    /// Enabled TOTP secrets are sealed under keys (these ids, sorted) that no given key file holds;
    /// `keyFileGiven` tells whether a `--secret-key-file` was given at all.
    case sealingKeysMissing([String], keyFileGiven: Bool)

    public var description: String {
        switch self {
        case let .bcryptCostOutOfRange(cost): "--bcrypt-cost \(cost) must be within \(PasswordHasher.costs)"
        case let .hashThreadsOutOfRange(count): "--hash-threads \(count) must be at least 1"
        case let .hashQueueLimitOutOfRange(limit): "--hash-queue \(limit) must be at least 1"
        case let .busyTimeoutOutOfRange(milliseconds):
            "--busy-timeout-milliseconds \(milliseconds) must not be negative"
        case let .sessionLifetimeOutOfRange(lifetime): "--session-ttl \(lifetime.milliseconds) ms must be longer than 0"
        case let .sessionsPerUserOutOfRange(count): "--sessions-per-user \(count) must be at least 1"
        case let .sessionIdleTimeoutOutOfRange(lifetime):
            "--session-idle-timeout \(lifetime.milliseconds) ms must be longer than 0"
        case let .resetTokenLifetimeOutOfRange(lifetime):
            "--reset-token-ttl \(lifetime.milliseconds) ms must be longer than 0"
        case let .emailFailureLimitOutOfRange(limit): "--login-failure-limit \(limit) must not be negative (0 is off)"
        case let .addressFailureLimitOutOfRange(limit):
            "--address-failure-limit \(limit) must not be negative (0 is off)"
        case let .accountFailureLimitOutOfRange(limit):
            "--account-failure-limit \(limit) must not be negative (0 is off)"
        case let .accountWindowOutOfRange(window):
            "--account-window \(window.milliseconds / 1000) s must be longer than 0"
        case let .addressRequestLimitOutOfRange(limit):
            "--address-request-limit \(limit) must not be negative (0 is off)"
        case let .throttleWindowOutOfRange(lifetime):
            "--throttle-window \(lifetime.milliseconds) ms must be longer than 0"
        case let .throttleBackoffOutOfRange(lifetime):
            "--throttle-backoff \(lifetime.milliseconds) ms must be longer than 0"
        case let .bcryptMaximumCostOutOfRange(maximum, cost):
            "--bcrypt-max-cost \(maximum) must be within \(PasswordHasher.costs) and at least the bcrypt cost \(cost)"
        case let .passwordMinimumLengthOutOfRange(length): "--password-min-length \(length) must be within 1...72"
        case let .mailFromInvalid(from): "--mail-from '\(from)' must be a plain ASCII email address"
        case let .resetLinkInvalid(template, rule): "--reset-link '\(template)' \(rule)"
        case let .smtpTimeoutOutOfRange(timeout): "--smtp-timeout \(timeout.milliseconds) ms must be within 1 ms...1 h"
        case let .database(error): error.description
        case let .bcryptUnavailable(code): "libcrypt cannot make bcrypt salts: error \(code)"
        case let .threadStart(name, code): "cannot start thread \(name): error \(code)"
        case let .sealingKeysMissing(ids, keyFileGiven):
            "the database holds TOTP secrets sealed under key id(s) \(ids.joined(separator: ", ")), "
                + (keyFileGiven
                    ? "which neither --secret-key-file nor --previous-secret-key-file holds: pass the key file "
                        + "they were sealed with as --secret-key-file or --previous-secret-key-file"
                    : "but no --secret-key-file is given: pass the key file they were sealed with as --secret-key-file")
        }
    }
}
