import Foundation
import Testing

/// The bounded hash queue: a burst waits, an overflow gets 503, never unbounded memory.
@Suite struct OverloadTests {
    private static let login = "email=burst%40b.c&password=pw"

    private static func loginRequest() -> String {
        "POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(login.utf8.count)\r\n\r\n\(login)"
    }

    @Test func aBurstOfThreeHundredLoginsWaitsAndEverySucceeds() async throws {
        let server = try AuthdProcess()
        #expect(
            try await HTTPClient(base: server.baseURL).send(
                "POST", "/users", form: ["email": "burst@b.c", "password": "pw"]
            ).status == 200)
        // The burst's blocking sockets wait seconds for their answers: on a thread of their own.
        let port = server.port
        let statuses = try await onOwnThread {
            let clients = try (0..<300).map { _ in try RawClient(port: port, timeoutSeconds: 60) }
            for client in clients { try client.send(Self.loginRequest()) }
            return try clients.map { try $0.readResponse()?.status ?? -1 }
        }
        #expect(statuses == Array(repeating: 200, count: 300))
    }

    @Test func aFullHashQueueAnswers503WithRetryAfter() async throws {
        let server = try AuthdProcess(arguments: ["--bcrypt-cost", "12", "--hash-threads", "1", "--hash-queue", "2"])
        #expect(
            try await HTTPClient(base: server.baseURL).send(
                "POST", "/users", form: ["email": "burst@b.c", "password": "pw"]
            ).status == 200)
        // The answers of the few hashed at cost 12 take seconds: on a thread of their own.
        let port = server.port
        let received = try await onOwnThread {
            let clients = try (0..<10).map { _ in try RawClient(port: port, timeoutSeconds: 60) }
            for client in clients { try client.send(Self.loginRequest()) }
            return try clients.map { try $0.readResponse() }
        }
        let answers = try received.map { try #require($0) }
        let refused = answers.filter { $0.status == 503 }
        // One hashing and two waiting at most: of ten, at least seven are refused at once.
        #expect(refused.count >= 7)
        #expect(answers.filter { $0.status == 200 }.count >= 1)
        #expect(answers.allSatisfy { $0.status == 200 || $0.status == 503 })
        #expect(refused.allSatisfy { $0.header("Retry-After") == "1" && $0.json["message"] != nil })
        // The server is still up and serving.
        #expect(try await HTTPClient(base: server.baseURL).send("GET", "/").status == 200)
    }
}
