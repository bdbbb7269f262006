import EventLoop
import HTTPParser

/// What a connection remembers of a request until its answer is written: for the access log and metrics.
struct RequestTrace {
    var method: HTTPMethod
    var target: String
    /// The metrics label index of the path (`RequestMetrics.routes`).
    var route: UInt8
    /// CLOCK_MONOTONIC nanoseconds when the request arrived (a pipelined request may start later).
    var startedAt: UInt64

    init(_ request: Request, startedAt: UInt64) {
        method = request.method
        target = request.target
        route = RequestMetrics.routeIndex(of: request.target)
        self.startedAt = startedAt
    }
}
