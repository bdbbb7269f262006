import HTTPParser

/// Limits and timeouts of the HTTP layer (the design card's defaults).
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
    /// Time SIGTERM waits for requests in flight before closing what is left.
    var shutdownGraceMilliseconds = 10_000
}
