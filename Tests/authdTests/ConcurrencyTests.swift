import Foundation
import Testing

/// Many clients at once against the real binary.
@Suite struct ConcurrencyTests {
    @Test func twentyConcurrentRegistrationsOfOneEmailGiveExactlyOneSuccess() async throws {
        let server = try AuthdProcess()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask {
                    let client = HTTPClient(base: server.baseURL)
                    return try await client.send(
                        "POST", "/users", form: ["email": "race@b.c", "password": "pw\(index)"]
                    ).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 1)
        #expect(statuses.filter { $0 == 400 }.count == 19)
    }

    @Test func manyClientsRegisterAndLogInAtOnce() async throws {
        let server = try AuthdProcess()
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let client = HTTPClient(base: server.baseURL)
                    let email = "user\(index)@b.c"
                    let registered = try await client.send("POST", "/users", form: ["email": email, "password": "pw"])
                    let login = try await client.send("POST", "/sessions", form: ["email": email, "password": "pw"])
                    guard let session = HTTPClient.sessionID(from: login) else { return false }
                    let profile = try await client.send("GET", "/profile", sessionID: session)
                    return registered.status == 200 && profile.json == ["email": email]
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 50)
        #expect(results.allSatisfy { $0 })
    }
}
