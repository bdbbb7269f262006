import Foundation
import Testing

/// `GET /metrics` (Prometheus text) counts what the test did; it is served on the main port only with
/// `--public-metrics`, and on `--admin-port`.
@Suite struct MetricsTests {
    /// The value of the sample line starting with `series` (name and labels exactly), if any.
    private func sample(_ page: String, _ series: String) -> Double? {
        for line in page.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func metricsCountRequestsLoginsAndThrottling() async throws {
        // A block of an hour: the default 30 s one can end before the third login on a loaded machine.
        let server = try AuthdProcess(
            arguments: [
                "--login-failure-limit", "2", "--throttle-window", "1h", "--throttle-backoff", "1h", "--public-metrics",
            ])
        let client = HTTPClient(base: server.baseURL)
        _ = try await client.send("POST", "/users", form: ["email": "m@example.com", "password": "pw"])
        for _ in 1...2 {
            #expect(
                try await client.send("POST", "/sessions", form: ["email": "m@example.com", "password": "no"]).status
                    == 401)
        }
        #expect(
            try await client.send("POST", "/sessions", form: ["email": "m@example.com", "password": "pw"]).status == 429
        )
        _ = try await client.send("GET", "/profile")
        _ = try await client.send("GET", "/nowhere")

        let answer = try await client.send("GET", "/metrics")
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let page = String(decoding: answer.body, as: UTF8.self)
        #expect(sample(page, #"authd_requests_total{route="/users",method="POST",status="200"}"#) == 1)
        #expect(sample(page, #"authd_requests_total{route="/sessions",method="POST",status="401"}"#) == 2)
        #expect(sample(page, #"authd_requests_total{route="/sessions",method="POST",status="429"}"#) == 1)
        #expect(sample(page, #"authd_requests_total{route="/profile",method="GET",status="403"}"#) == 1)
        #expect(sample(page, #"authd_requests_total{route="other",method="GET",status="404"}"#) == 1)
        #expect(sample(page, "authd_request_duration_seconds_count") == 6)
        #expect(sample(page, #"authd_request_duration_seconds_bucket{le="+Inf"}"#) == 6)
        #expect(sample(page, "authd_logins_failed_total") == 2)
        #expect(sample(page, "authd_logins_throttled_total") == 1)
        // One hash at registration, two failed verifications; the throttled login never reached bcrypt.
        #expect(sample(page, "authd_bcrypt_runs_total") == 3)
        #expect((sample(page, "authd_bcrypt_seconds_total") ?? 0) > 0)
        #expect((sample(page, "authd_open_connections") ?? 0) >= 1)
        #expect(sample(page, "authd_hash_queue_depth") == 0)
        #expect(sample(page, "authd_hash_jobs_abandoned_total") == 0)
        #expect(sample(page, "authd_store_queue_depth") == 0)
        // A hash thread counts itself idle just after handing its answer back: the gauge settles a
        // moment after the client has read the 401, on a busy machine later still.
        var busy = sample(page, "authd_hash_threads_busy")
        for _ in 0..<50 where busy != 0 {
            try await Task.sleep(for: .milliseconds(100))
            busy = sample(
                String(decoding: try await client.send("GET", "/metrics").body, as: UTF8.self),
                "authd_hash_threads_busy")
        }
        #expect(busy == 0)
    }

    @Test func theMainPortServesNeitherMetricsNorTheDocumentUnlessAskedTo() async throws {
        let server = try AuthdProcess()
        let main = HTTPClient(base: server.baseURL)
        for path in ["/metrics", "/metrics/", "/openapi.json", "/openapi.json/"] {
            #expect(try await main.send("GET", path).status == 404, "\(path)")
        }
        #expect(try await main.send("GET", "/healthz").status == 200)
    }

    @Test func publicMetricsServesThePageOnItsExactPathOnly() async throws {
        let server = try AuthdProcess(arguments: ["--public-metrics"])
        let main = HTTPClient(base: server.baseURL)
        #expect(try await main.send("GET", "/metrics").status == 200)
        #expect(try await main.send("GET", "/openapi.json").status == 200)
        // Past a proxy rule that denies exactly `/metrics`, the slashed path must not answer.
        for path in ["/metrics/", "/openapi.json/", "//metrics"] {
            #expect(try await main.send("GET", path).status == 404, "\(path)")
        }
    }

    @Test func adminPortServesMetricsAndTheMainPortNoLonger() async throws {
        let server = try AuthdProcess(arguments: ["--admin-port", "0"])
        let admin = HTTPClient(base: "http://127.0.0.1:\(try server.adminPort())")
        let main = HTTPClient(base: server.baseURL)
        #expect(try await main.send("GET", "/metrics").status == 404)
        #expect(try await main.send("GET", "/healthz").status == 200)
        let metrics = try await admin.send("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(String(decoding: metrics.body, as: UTF8.self).contains("authd_requests_total"))
        #expect(try await admin.send("GET", "/healthz").status == 200)
        #expect(try await admin.send("POST", "/users", form: ["email": "a@b.c", "password": "p"]).status == 404)
    }
}
