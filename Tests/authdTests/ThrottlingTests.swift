import Foundation
import Testing

/// Brute-force throttling against the real binary: per email, per client address, per route.
@Suite struct ThrottlingTests {
    @Test func sixthWrongPasswordIsThrottledWhileAnotherEmailStillLogsIn() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        for email in ["victim@example.com", "bystander@example.com"] {
            #expect(try await client.send("POST", "/users", form: ["email": email, "password": "right"]).status == 200)
        }
        for _ in 1...5 {
            let wrong = try await client.send(
                "POST", "/sessions", form: ["email": "victim@example.com", "password": "wrong"])
            #expect(wrong.status == 401)
        }
        let throttled = try await client.send(
            "POST", "/sessions", form: ["email": "victim@example.com", "password": "right"])
        #expect(throttled.status == 429)
        let retryAfter = try #require(throttled.header("Retry-After").flatMap { Int($0) })
        #expect((1...30).contains(retryAfter))
        let other = try await client.send(
            "POST", "/sessions", form: ["email": "bystander@example.com", "password": "right"])
        #expect(other.status == 200)
    }

    @Test func concurrentGuessesCannotOverrunTheEmailLimit() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        _ = try await client.send("POST", "/users", form: ["email": "target@example.com", "password": "right"])
        // After one failure, guesses under way count against the limit.
        #expect(
            try await client.send("POST", "/sessions", form: ["email": "target@example.com", "password": "x"]).status
                == 401)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await client.send(
                        "POST", "/sessions", form: ["email": "target@example.com", "password": "guess\(index)"]
                    ).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 401 }.count <= 4)
        #expect(statuses.filter { $0 == 429 }.count >= 16)
        #expect(Set(statuses).isSubset(of: [401, 429]))
    }

    @Test func addressFailureBudgetCoversEveryEmail() async throws {
        // 127.0.0.1 is exempt from per-address limits by default; this test is its client.
        let server = try AuthdProcess(arguments: ["--address-failure-limit", "3", "--throttle-exempt", "none"])
        let client = HTTPClient(base: server.baseURL)
        _ = try await client.send("POST", "/users", form: ["email": "real@example.com", "password": "right"])
        for index in 1...3 {
            let wrong = try await client.send(
                "POST", "/sessions", form: ["email": "guess\(index)@example.com", "password": "x"])
            #expect(wrong.status == 401)
        }
        let throttled = try await client.send(
            "POST", "/sessions", form: ["email": "real@example.com", "password": "right"])
        #expect(throttled.status == 429)
        #expect(throttled.header("Retry-After") != nil)
    }

    @Test func registrationsAndResetRequestsShareAnAddressBudget() async throws {
        // A block of an hour: the default 30 s one could end while a loaded machine hashes.
        let server = try AuthdProcess(environment: [
            "AUTHD_ADDRESS_REQUEST_LIMIT": "3", "AUTHD_THROTTLE_EXEMPT": "none", "AUTHD_THROTTLE_WINDOW": "1h",
            "AUTHD_THROTTLE_BACKOFF": "1h",
        ])
        let client = HTTPClient(base: server.baseURL)
        #expect(
            try await client.send("POST", "/users", form: ["email": "a@example.com", "password": "p"]).status == 200)
        #expect(
            try await client.send("POST", "/users", form: ["email": "b@example.com", "password": "p"]).status == 200)
        #expect(try await client.send("POST", "/reset_password", form: ["email": "a@example.com"]).status == 200)
        let refused = try await client.send("POST", "/reset_password", form: ["email": "a@example.com"])
        #expect(refused.status == 429)
        #expect(Int(refused.header("Retry-After") ?? "").map { $0 > 60 } == true)
        #expect(
            try await client.send("POST", "/users", form: ["email": "c@example.com", "password": "p"]).status == 429)
        // Logging in is not part of that budget.
        #expect(
            try await client.send("POST", "/sessions", form: ["email": "a@example.com", "password": "p"]).status == 200)
    }
}
