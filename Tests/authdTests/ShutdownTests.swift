import Foundation
import Testing

/// SIGTERM drains: requests in flight get their whole answer, then the process exits 0.
@Suite struct ShutdownTests {
    @Test func sigtermWithFiftyRequestsInFlightAnswersEveryOneThenExitsZero() async throws {
        // Cost 10 on one hash thread: 50 logins take seconds, so they are surely in flight at SIGTERM.
        let server = try AuthdProcess(arguments: [
            "--bcrypt-cost", "10", "--hash-threads", "1", "--shutdown-grace", "60",
        ])
        let client = HTTPClient(base: server.baseURL)
        #expect(try await client.send("POST", "/users", form: ["email": "drain@b.c", "password": "pw"]).status == 200)

        let clients = try (0..<50).map { _ in try RawClient(port: server.port, timeoutSeconds: 60) }
        let body = "email=drain%40b.c&password=pw"
        for raw in clients {
            try raw.send(
                "POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            )
        }
        usleep(200_000)
        kill(server.process.processIdentifier, SIGTERM)
        usleep(200_000)
        // Draining: the listener is closed at once, so newcomers are refused...
        #expect(throws: RawClientError.self) { _ = try RawClient(port: server.port) }

        // ...while every request already in flight gets its whole answer.
        var statuses: [Int] = []
        for raw in clients {
            statuses.append(try raw.readResponse()?.status ?? -1)
        }
        #expect(statuses == Array(repeating: 200, count: 50))
        #expect(server.stop(timeout: 60) == 0)
        #expect(server.log.contains("stopping"))
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
