import EventLoop
import HTTPParser

/// What a connection remembers of a request until its answer is written: for the access log and metrics.
struct RequestTrace {
    var method: HTTPMethod
    var target: String
    /// The route's index in the route table (`AuthRoutes.routeLabels`), the metrics label.
    var route: Int
    /// CLOCK_MONOTONIC nanoseconds when the request arrived (a pipelined request may start later).
    var startedAt: UInt64

    init(_ request: Request, route: Int, startedAt: UInt64) {
        method = request.method
        target = request.target
        self.route = route
        self.startedAt = startedAt
    }
}
