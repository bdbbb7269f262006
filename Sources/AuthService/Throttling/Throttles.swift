/// The three throttles the routes consult; thread-safe (each Throttle is).
public struct Throttles: Sendable {
    /// Failed logins by email.
    public let loginsByEmail: Throttle
    /// Failed logins by client address.
    public let loginsByAddress: Throttle
    /// Account creations and reset-token requests by client address.
    public let requestsByAddress: Throttle

    /// Throttles with `settings`, reading time from `clock` (unix milliseconds).
    public init(_ settings: ThrottleSettings = ThrottleSettings(), clock: @escaping @Sendable () -> Int64 = WallClock.milliseconds) {
        func make(_ limit: Int) -> Throttle {
            Throttle(limit: limit, window: settings.window, backoff: settings.backoff, capacity: settings.capacity, clock: clock)
        }
        loginsByEmail = make(settings.emailFailureLimit)
        loginsByAddress = make(settings.addressFailureLimit)
        requestsByAddress = make(settings.addressRequestLimit)
    }
}
