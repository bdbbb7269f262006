import Foundation
import Testing

/// SIGTERM drains: requests in flight get their whole answer, then the process exits 0.
@Suite struct ShutdownTests {
    @Test func sigtermWithFiftyRequestsInFlightAnswersEveryOneThenExitsZero() async throws {
        // Cost 10 on one hash thread: 50 logins take seconds, so they are surely in flight at SIGTERM.
        let server = try AuthdProcess(arguments: [
            "--bcrypt-cost", "10", "--hash-threads", "1", "--shutdown-grace", "60", "--public-metrics",
        ])
        let client = HTTPClient(base: server.baseURL)
        #expect(try await client.send("POST", "/users", form: ["email": "drain@b.c", "password": "pw"]).status == 200)
        let before = try Self.metrics(server.port)
        let runsBefore = before["authd_bcrypt_runs_total"] ?? 0

        // Used by one thread at a time: this task's, then the reader's below.
        nonisolated(unsafe) let clients = try (0..<50).map { _ in try RawClient(port: server.port, timeoutSeconds: 60) }
        let body = "email=drain%40b.c&password=pw"
        for raw in clients {
            try raw.send(
                "POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            )
        }
        // SIGTERM once authd accepted all 50 (however long a loaded machine takes), while logins
        // remain unhashed: the drain has work in flight. (Logins of one pair wait in the throttle
        // beyond the few under way, so the hash queue does not show them all.)
        var samples: [String: Double] = [:]
        let accepted = await eventually(within: 30) {
            samples = (try? Self.metrics(server.port)) ?? [:]
            // Both samples count the connection asking and the client's keep-alive one.
            return samples["authd_open_connections"] ?? 0 >= (before["authd_open_connections"] ?? 0) + 50
        }
        #expect(accepted, "\(samples)")
        #expect(samples["authd_bcrypt_runs_total"] ?? 0 < runsBefore + 50, "\(samples)")
        kill(server.process.processIdentifier, SIGTERM)
        // Draining: the listener closes (however late a loaded machine delivers the signal), so
        // newcomers are refused...
        #expect(await eventually(within: 30) { (try? RawClient(port: server.port)) == nil })

        // ...while every request already in flight gets its whole answer: seconds of blocking reads,
        // and the wait for the exit, on a thread of their own.
        let statuses = try await onOwnThread { try clients.map { try $0.readResponse()?.status ?? -1 } }
        #expect(statuses == Array(repeating: 200, count: 50))
        #expect(try await onOwnThread { server.stop(timeout: 60) } == 0)
        #expect(server.log.contains("stopping"))
    }

    /// The unlabelled samples of `/metrics`, by name.
    private static func metrics(_ port: Int) throws -> [String: Double] {
        let client = try RawClient(port: port)
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        guard let page = try client.readResponse()?.bodyText else { throw RawClientError.receive(0) }
        var samples: [String: Double] = [:]
        for line in page.split(separator: "\n") where !line.hasPrefix("#") && !line.contains("{") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { samples[String(parts[0])] = value }
        }
        return samples
    }

    @Test func healthzOnTheAdminPortIs503WhileDrainingThenTheProcessExits() throws {
        // Eight registrations at cost 12 on one hash thread: the drain lasts well over a second.
        let server = try AuthdProcess(arguments: [
            "--admin-port", "0", "--bcrypt-cost", "12", "--hash-threads", "1", "--shutdown-grace", "60",
        ])
        let adminPort = try server.adminPort()
        let before = try RawClient(port: adminPort)
        try before.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try before.readResponse()?.status == 200)

        let clients = try (0..<8).map { _ in try RawClient(port: server.port, timeoutSeconds: 60) }
        for (index, raw) in clients.enumerated() {
            let body = "email=h\(index)%40b.c&password=pw"
            try raw.send(
                "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            )
        }
        usleep(200_000)
        kill(server.process.processIdentifier, SIGTERM)
        usleep(200_000)
        // The public port refuses newcomers; the admin port says why, once, and closes.
        #expect(throws: RawClientError.self) { _ = try RawClient(port: server.port) }
        let during = try RawClient(port: adminPort)
        try during.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try #require(try during.readResponse())
        #expect(answer.status == 503)
        #expect(answer.json == ["status": "draining"])
        #expect(answer.header("Connection") == "close")
        #expect(during.isClosedByPeer())

        #expect(clients.map { (try? $0.readResponse())??.status ?? -1 } == Array(repeating: 200, count: 8))
        #expect(server.stop(timeout: 60) == 0)
        #expect(throws: RawClientError.self) { _ = try RawClient(port: adminPort) }
    }

    @Test func healthzIs200WhileServing() async throws {
        let server = try AuthdProcess()
        let answer = try await HTTPClient(base: server.baseURL).send("GET", "/healthz")
        #expect(answer.status == 200)
        #expect(answer.json == ["status": "serving"])
    }
}
