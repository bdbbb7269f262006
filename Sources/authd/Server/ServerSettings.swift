import HTTPParser

/// Limits and timeouts of the HTTP layer (the design card's defaults). The one home of their defaults
/// and rules: `--max-body` and the timeout flags start from `ServerSettings()` and only override what they set.
struct ServerSettings: Sendable {
    var limits = ParserLimits()
    /// Time allowed to receive a whole request once its first byte arrived (408 after it).
    var requestTimeoutMilliseconds: Int64 = 10_000
    /// Time a keep-alive connection may sit with nothing to do.
    var idleTimeoutMilliseconds: Int64 = 60_000
    /// Time queued output may make no progress (a client that stopped reading) before the
    /// connection and its output are dropped; checked once per period, so a stall is caught
    /// between one and two periods after the last byte left.
    var writeTimeoutMilliseconds: Int64 = 30_000
    /// Pipelined requests answered-but-unwritten, in progress or waiting to start before reading pauses.
    var maxRequestsInFlight = 64
    /// Wire bytes of such requests at which reading pauses too: one largest request (`--max-body`
    /// and a head). The request that crosses it is at most as large again, and the input kept
    /// unparsed while paused at most one request and one read (64 KiB), so a connection holds at
    /// most about three largest requests (304 KiB at the defaults, beside its 256 KiB output
    /// bound), and a client at most that many times its connections.
    var inputPauseBytes: Int { limits.maxBodyBytes + limits.maxHeadBytes }
    /// Time SIGTERM waits for requests in flight before closing what is left; 0 closes them at once.
    var shutdownGraceMilliseconds = 10_000
    /// Client connections the public listeners hold at most; nil: the descriptor limit less
    /// `descriptorReserve` (for the store, the admin listener, logs and one answer).
    var maxConnections: Int? = nil
    /// Connections one client (an address, an IPv6 /64) may hold; clients exempt from per-client
    /// limits meet only `maxConnections`.
    var maxConnectionsPerClient = 256
    /// Descriptors kept back from the default `maxConnections`.
    static let descriptorReserve = 64
    /// Who the client of a request is: trusted proxies, the PROXY protocol, throttle exemptions.
    var clients = ClientSettings()
    /// Whether the public listeners also serve `/metrics` and `/openapi.json`. Off by default: the
    /// metrics page counts reset mails, which tells a registered email from an unknown one.
    var publicMetrics = false

    /// Throws the first setting that breaks its rule, naming it (by its flag) and its value.
    func validate() throws(ConfigurationError) {
        guard limits.maxBodyBytes >= 0 else {
            throw .invalidSetting("--max-body", value: "\(limits.maxBodyBytes)", rule: "must not be negative")
        }
        for (flag, milliseconds) in [
            ("--request-timeout", requestTimeoutMilliseconds), ("--idle-timeout", idleTimeoutMilliseconds),
            ("--write-timeout", writeTimeoutMilliseconds),
        ] where milliseconds <= 0 {
            throw .invalidSetting(flag, value: Self.shown(milliseconds), rule: "must be longer than 0")
        }
        guard shutdownGraceMilliseconds >= 0 else {
            throw .invalidSetting(
                "--shutdown-grace", value: Self.shown(Int64(shutdownGraceMilliseconds)), rule: "must not be negative")
        }
        if let maxConnections, maxConnections < 1 {
            throw .invalidSetting("--max-connections", value: "\(maxConnections)", rule: "must be at least 1")
        }
        guard maxConnectionsPerClient >= 1 else {
            throw .invalidSetting(
                "--max-connections-per-client", value: "\(maxConnectionsPerClient)", rule: "must be at least 1")
        }
        guard maxRequestsInFlight >= 1 else {
            throw .invalidSetting("maxRequestsInFlight", value: "\(maxRequestsInFlight)", rule: "must be at least 1")
        }
        try clients.validate()
    }

    /// A duration in the seconds its flag takes, or in milliseconds when it is not whole seconds.
    private static func shown(_ milliseconds: Int64) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}
