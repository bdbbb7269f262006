// Per-request cost of recording request metrics: authd's way (plain arrays owned by the loop thread)
// against swift-prometheus (counters and a histogram from a registry), on the same request mix.
// Issue 7 asked for swift-prometheus unless it costs measurable time on the hot path; this measures it.
import Glibc
import Prometheus

/// The label space of authd's RequestMetrics: 8 routes × 8 methods × 16 status slots, 14 latency buckets.
let routes = ["/", "/users", "/sessions", "/profile", "/reset_password", "/healthz", "/metrics", "other"]
let methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "OTHER"]
let statuses = [200, 302, 400, 401, 403, 404, 405, 408, 413, 414, 415, 429, 431, 500, 503, 0]
let bucketSeconds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
let bucketNanoseconds = bucketSeconds.map { UInt64($0 * 1e9) }
let latencyBuckets: [Duration] = bucketSeconds.map { .nanoseconds(Int64($0 * 1e9)) }
/// The two metric names, as swift-prometheus wants them.
enum Names {
    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "authd", metricName: "requests", unitName: "total", helpText: "")
    }
    static var latency: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "authd", metricName: "request_duration", unitName: "seconds", helpText: "")
    }
}

/// One answered request as the server knows it when the answer leaves: label indexes and latency.
struct Sample {
    var route: Int
    var method: Int
    var status: Int
    var nanoseconds: UInt64
}

/// A fixed, seeded mix: mostly GET / and /profile hits, some logins, failures and slow answers.
func requestMix(count: Int) -> [Sample] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
    let shapes: [(route: Int, method: Int, status: Int, micros: UInt64)] = [
        (0, 0, 0, 40), (3, 0, 0, 120), (3, 0, 4, 90), (2, 2, 0, 230_000), (2, 2, 3, 231_000),
        (1, 2, 0, 240_000), (7, 0, 5, 30), (2, 4, 1, 300), (4, 2, 0, 500), (2, 2, 11, 20),
    ]
    return (0..<count).map { _ in
        let shape = shapes[Int(next() % UInt64(shapes.count))]
        return Sample(
            route: shape.route, method: shape.method, status: shape.status,
            nanoseconds: shape.micros * 1000 + next() % 1000)
    }
}

/// authd's recording, as in Sources/authd/Metrics/RequestMetrics.swift: a flat count array and buckets.
final class PlainMetrics {
    var counts = [Int](repeating: 0, count: routes.count * methods.count * statuses.count)
    var buckets = [Int](repeating: 0, count: bucketSeconds.count + 1)
    var sum: UInt64 = 0
    var observed = 0

    func record(_ s: Sample) {
        counts[(s.route * methods.count + s.method) * statuses.count + s.status] += 1
        var bucket = 0
        while bucket < bucketNanoseconds.count && s.nanoseconds > bucketNanoseconds[bucket] { bucket += 1 }
        buckets[bucket] += 1
        sum &+= s.nanoseconds
        observed += 1
    }
}

/// swift-prometheus with every labelled counter made once up front: the cheapest way to use it.
final class PrometheusPrepared {
    let registry = PrometheusCollectorRegistry()
    let counters: [Counter]
    let latency: DurationHistogram

    init() {
        var made: [Counter] = []
        for route in routes {
            for method in methods {
                for status in statuses {
                    made.append(
                        registry.makeCounter(
                            descriptor: Names.requests,
                            labels: [
                                ("route", route), ("method", method),
                                ("status", status == 0 ? "other" : String(status)),
                            ]))
                }
            }
        }
        counters = made
        latency = registry.makeDurationHistogram(descriptor: Names.latency, buckets: latencyBuckets)
    }

    func record(_ s: Sample) {
        counters[(s.route * methods.count + s.method) * statuses.count + s.status].increment()
        latency.recordNanoseconds(Int64(s.nanoseconds))
    }
}

/// swift-prometheus used the way swift-metrics front ends use it: the counter looked up by labels per request.
final class PrometheusLookedUp {
    let registry = PrometheusCollectorRegistry()
    let latency: DurationHistogram
    let statusNames = statuses.map { $0 == 0 ? "other" : String($0) }
    let requests = Names.requests

    init() {
        latency = registry.makeDurationHistogram(descriptor: Names.latency, buckets: latencyBuckets)
    }

    func record(_ s: Sample) {
        registry.makeCounter(
            descriptor: requests,
            labels: [("route", routes[s.route]), ("method", methods[s.method]), ("status", statusNames[s.status])]
        ).increment()
        latency.recordNanoseconds(Int64(s.nanoseconds))
    }
}

func nowNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Best of `rounds` passes over `mix`, in nanoseconds per recorded request.
func best(_ rounds: Int, _ mix: [Sample], _ record: (Sample) -> Void) -> Double {
    var fastest = Double.infinity
    for _ in 0..<rounds {
        let start = nowNanoseconds()
        for sample in mix { record(sample) }
        fastest = min(fastest, Double(nowNanoseconds() - start) / Double(mix.count))
    }
    return fastest
}

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000
let mix = requestMix(count: count)
let plain = PlainMetrics()
let prepared = PrometheusPrepared()
let lookedUp = PrometheusLookedUp()
let plainNs = best(7, mix, plain.record)
let preparedNs = best(7, mix, prepared.record)
let lookedUpNs = best(7, mix, lookedUp.record)
// Keep the work observable so the optimizer cannot drop it.
let totals = (plain.observed, prepared.registry.emitToBuffer().count, lookedUp.registry.emitToBuffer().count)
print("requests per round: \(count); checks: \(totals.0) plain observations, \(totals.1)/\(totals.2) B exposition")
func show(_ name: String, _ ns: Double) {
    let tenths = { (x: Double) in "\(Int(x))." + "\(Int(x * 10) % 10)" }
    print("\(name): \(tenths(ns)) ns/request, \(tenths(ns / plainNs))× plain")
}
show("authd plain arrays (loop thread)", plainNs)
show("swift-prometheus, counters made up front", preparedNs)
show("swift-prometheus, counter looked up per request", lookedUpNs)
