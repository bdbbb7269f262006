import AuthService
import EventLoop
import HTTPParser

/// `GET /metrics` in the Prometheus text format (version 0.0.4), written by hand from the loop's
/// counters, the reactor's and Auth's. Built only when scraped.
enum MetricsPage {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func render(
        requests: RequestMetrics, reactor: ReactorCounters, auth: AuthStats, storage: StoreStatus,
        connections: ConnectionLimits, auditDropped: Int
    ) -> [UInt8] {
        var out = ""
        out.reserveCapacity(4096)
        out += "# HELP authd_requests_total Requests answered, by route, method and status.\n"
        out += "# TYPE authd_requests_total counter\n"
        for entry in requests.labelledCounts() {
            out +=
                "authd_requests_total{route=\"\(entry.route)\",method=\"\(entry.method)\",status=\"\(entry.status)\"} \(entry.count)\n"
        }
        out += "# HELP authd_request_duration_seconds Time from a whole request to its answer being written.\n"
        out += "# TYPE authd_request_duration_seconds histogram\n"
        var cumulative = 0
        for (index, bound) in RequestMetrics.bucketBounds.enumerated() {
            cumulative += requests.buckets[index]
            out += "authd_request_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "authd_request_duration_seconds_bucket{le=\"+Inf\"} \(requests.observed)\n"
        out += "authd_request_duration_seconds_sum \(Double(requests.durationSumNanoseconds) / 1e9)\n"
        out += "authd_request_duration_seconds_count \(requests.observed)\n"
        gauge(&out, "authd_open_connections", "Client connections open now.", reactor.openConnections)
        counter(&out, "authd_connections_accepted_total", "Connections accepted since start.", reactor.accepted)
        byCap(
            &out, "authd_connections_refused_total", "New connections answered 503 past a cap, by cap.",
            connections.refused)
        byCap(
            &out, "authd_connections_closed_for_room_total", "Idle keep-alive connections closed to make room, by cap.",
            connections.idleClosed)
        counter(
            &out, "authd_accept_pauses_total", "Times accepting paused for want of file descriptors.",
            reactor.acceptPauses)
        gauge(&out, "authd_hash_queue_depth", "Password jobs waiting for a hash thread.", auth.hashQueueDepth)
        gauge(&out, "authd_hash_threads_busy", "Hash threads running bcrypt now.", auth.busyHashThreads)
        gauge(&out, "authd_hash_threads", "Hash threads in the pool.", auth.hashThreads)
        gauge(&out, "authd_store_queue_depth", "Operations waiting for the store.", auth.storeQueueDepth)
        counter(
            &out, "authd_hash_jobs_abandoned_total", "Password jobs dropped unhashed: their connection closed first.",
            auth.hashJobsAbandoned)
        counter(&out, "authd_bcrypt_runs_total", "bcrypt hashes and verifications finished.", auth.bcryptRuns)
        out += "# HELP authd_bcrypt_seconds_total Time spent in bcrypt on the hash threads.\n"
        out += "# TYPE authd_bcrypt_seconds_total counter\n"
        out += "authd_bcrypt_seconds_total \(Double(auth.bcryptNanoseconds) / 1e9)\n"
        counter(&out, "authd_logins_failed_total", "Logins refused for a wrong email or password.", auth.loginsFailed)
        counter(&out, "authd_logins_throttled_total", "Logins refused with 429.", auth.loginsThrottled)
        counter(
            &out, "authd_requests_throttled_total", "Registrations and reset-token requests refused with 429.",
            auth.requestsThrottled)
        gauge(
            &out, "authd_storage_healthy", "1 while the storage serves, 0 while full, read-only, lost or failing.",
            storage.health == .serving ? 1 : 0)
        counter(&out, "authd_storage_fault_episodes_total", "Times the storage stopped serving.", storage.faultEpisodes)
        counter(
            &out, "authd_storage_refused_total", "Operations refused with 503 by a storage fault.",
            storage.refusedOperations)
        counter(
            &out, "authd_storage_reconnects_total",
            "Connections to the database server made again after one was lost (PostgreSQL).", storage.reconnects)
        counter(
            &out, "authd_session_cache_hits_total",
            "Session checks answered from the session cache, without the store's thread (SQLite).",
            storage.sessionCacheHits)
        gauge(&out, "authd_throttle_keys", "Keys held by the brute-force tables.", auth.throttleKeys)
        gauge(&out, "authd_reset_outbox_depth", "Reset mails waiting in the outbox.", auth.outboxDepth)
        counter(&out, "authd_reset_mails_sent_total", "Reset mails the relay accepted.", auth.resetMailsSent)
        counter(
            &out, "authd_reset_mails_retried_total", "Reset mail attempts that failed and were scheduled again.",
            auth.resetMailsRetried)
        counter(
            &out, "authd_reset_mails_given_up_total", "Reset mails dropped unsent: refused, unsendable, or expired.",
            auth.resetMailsGivenUp)
        counter(
            &out, "authd_audit_records_dropped_total", "Audit records dropped because their queue was full.",
            auditDropped)
        return Array(out.utf8)
    }

    private static func gauge(_ out: inout String, _ name: String, _ help: String, _ value: Int) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(value)\n"
    }

    private static func counter(_ out: inout String, _ name: String, _ help: String, _ value: Int) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
    }

    /// A counter with one sample per connection cap, every cap listed even at 0.
    private static func byCap(
        _ out: inout String, _ name: String, _ help: String, _ values: [ConnectionLimits.Reason: Int]
    ) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
        for reason in ConnectionLimits.Reason.allCases {
            out += "\(name){cap=\"\(reason.rawValue)\"} \(values[reason, default: 0])\n"
        }
    }
}
