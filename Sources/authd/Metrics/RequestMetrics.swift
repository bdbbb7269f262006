import HTTPParser

/// Requests by route, method and status, and a latency histogram, counted on the loop thread with
/// plain integers: no atomics or locks on the hot path, as only the loop thread writes or reads them.
/// Loop thread only.
final class RequestMetrics {
    /// The route table's labels (`AuthRoutes.routeLabels`): each route has its own, and any other
    /// path counts as `other`, the last, so the label set stays bounded.
    let routes: [String]
    static let methods: [HTTPMethod] = [.get, .head, .post, .put, .delete, .options, .patch]
    /// Statuses authd gives, each with its own slot; any other shares the last one (written as its class).
    static let statuses = [200, 302, 400, 401, 403, 404, 405, 408, 413, 414, 415, 429, 431, 500, 503, 0]
    /// Upper bounds in seconds of the latency buckets (Prometheus `le`), from fast hits to bcrypt queues.
    static let bucketBounds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
    private static let bucketNanoseconds: [UInt64] = bucketBounds.map { UInt64($0 * 1e9) }

    /// Count per (route, method, status slot): a flat table indexed by `slot(route:method:status:)`.
    /// Fixed buffers rather than arrays: a counted request then pays no uniqueness or runtime
    /// exclusivity check (callgrind), and only the loop thread touches them.
    private let counts: UnsafeMutableBufferPointer<Int>
    /// Non-cumulative counts per bucket; the last one is +Inf.
    let buckets = UnsafeMutableBufferPointer<Int>.allocate(capacity: bucketBounds.count + 1)
    private(set) var durationSumNanoseconds: UInt64 = 0
    private(set) var observed = 0

    init(routes: [String]) {
        self.routes = routes
        counts = .allocate(capacity: routes.count * (Self.methods.count + 1) * Self.statuses.count)
        counts.initialize(repeating: 0)
        buckets.initialize(repeating: 0)
    }

    deinit {
        counts.deallocate()
        buckets.deallocate()
    }

    /// Counts one answered request; `trace` nil for one the parser refused (route `other`, no latency).
    func record(_ trace: RequestTrace?, status: Int, elapsed: UInt64) {
        let route = trace?.route ?? routes.count - 1
        let method = trace.map { Self.methodIndex(of: $0.method) } ?? Self.methods.count
        counts[Self.slot(route: route, method: method, status: Self.statusIndex(of: status))] += 1
        guard trace != nil else { return }
        var bucket = 0
        while bucket < Self.bucketNanoseconds.count && elapsed > Self.bucketNanoseconds[bucket] { bucket += 1 }
        buckets[bucket] += 1
        durationSumNanoseconds &+= elapsed
        observed += 1
    }

    /// Every non-zero count with its labels, in a stable order.
    func labelledCounts() -> [(route: String, method: String, status: String, count: Int)] {
        var result: [(route: String, method: String, status: String, count: Int)] = []
        for route in routes.indices {
            for method in 0...Self.methods.count {
                for status in Self.statuses.indices {
                    let count = counts[Self.slot(route: route, method: method, status: status)]
                    guard count > 0 else { continue }
                    let methodName = method < Self.methods.count ? Self.methods[method].name : "OTHER"
                    let code = Self.statuses[status]
                    result.append((routes[route], methodName, code == 0 ? "other" : String(code), count))
                }
            }
        }
        return result
    }

    private static func slot(route: Int, method: Int, status: Int) -> Int {
        (route * (methods.count + 1) + method) * statuses.count + status
    }

    private static func methodIndex(of method: HTTPMethod) -> Int {
        switch method {
        case .get: 0
        case .head: 1
        case .post: 2
        case .put: 3
        case .delete: 4
        case .options: 5
        case .patch: 6
        default: methods.count
        }
    }

    private static func statusIndex(of status: Int) -> Int {
        statuses.firstIndex(of: status) ?? statuses.count - 1
    }
}
