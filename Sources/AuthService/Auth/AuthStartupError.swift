/// Why `Auth.init` failed; its description is a message for the operator.
public enum AuthStartupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `bcryptCost` is outside 4...31.
    case bcryptCostOutOfRange(Int)
    /// `hashThreads` is below 1.
    case hashThreadsOutOfRange(Int)
    /// `hashQueueLimit` is negative.
    case hashQueueLimitOutOfRange(Int)
    /// `busyTimeoutMilliseconds` is negative.
    case busyTimeoutOutOfRange(Int)
    /// `bcryptMaximumCost` is outside 4...31 or below `bcryptCost` (the second value).
    case bcryptMaximumCostOutOfRange(Int, cost: Int)
    /// `passwordMinimumLength` is outside 1...72.
    case passwordMinimumLengthOutOfRange(Int)
    /// The database could not be opened or set up.
    case database(StoreError)
    /// libcrypt could not make a bcrypt setting (its errno): bcrypt is unavailable.
    case bcryptUnavailable(Int32)
    /// A thread could not be started (`pthread_create`'s error number).
    case threadStart(name: String, code: Int32)

    public var description: String {
        switch self {
        case let .bcryptCostOutOfRange(cost): "bcrypt cost \(cost) is outside 4...31"
        case let .hashThreadsOutOfRange(count): "hash thread count \(count) must be at least 1"
        case let .hashQueueLimitOutOfRange(limit): "hash queue limit \(limit) must not be negative"
        case let .busyTimeoutOutOfRange(milliseconds): "busy timeout \(milliseconds) ms must not be negative"
        case let .bcryptMaximumCostOutOfRange(maximum, cost):
            "bcrypt maximum cost \(maximum) must be within 4...31 and at least the bcrypt cost \(cost)"
        case let .passwordMinimumLengthOutOfRange(length): "password minimum length \(length) is outside 1...72"
        case let .database(error): error.description
        case let .bcryptUnavailable(code): "libcrypt cannot make bcrypt salts: error \(code)"
        case let .threadStart(name, code): "cannot start thread \(name): error \(code)"
        }
    }
}
