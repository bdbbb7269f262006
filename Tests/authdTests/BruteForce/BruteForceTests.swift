import Foundation
import Testing

/// The brute-force defences tried as an attacker would, from several loopback source addresses
/// (a socket bound to 127.a.b.c reaches the server on 127.0.0.1).
@Suite struct BruteForceTests {
    private static func login(_ email: String, _ password: String) -> [UInt8] {
        formPost("/sessions", body: Array("email=\(email)&password=\(password)".utf8))
    }

    /// One login on its own connection from `source`; the status.
    private static func login(_ server: AuthdProcess, _ email: String, _ password: String, from source: String) throws
        -> Int
    {
        let client = try RawClient(port: server.port, timeoutSeconds: 60, from: source)
        try client.send(login(email, password))
        return try client.readResponse()?.status ?? -1
    }

    private static func metric(_ server: AuthdProcess, _ name: String) throws -> Double? {
        let client = try RawClient(port: server.port)
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let page = String(decoding: try #require(try client.readResponse()).body, as: UTF8.self)
        return page.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
            Double($0.dropFirst(name.count + 1))
        }
    }

    private static func register(_ server: AuthdProcess, _ email: String, _ password: String) throws {
        let client = try RawClient(port: server.port, timeoutSeconds: 60)
        try client.send(formPost("/users", body: Array("email=\(email)&password=\(password)".utf8)))
        #expect(try client.readResponse()?.status == 200)
    }

    @Test func fortySimultaneousWrongLoginsGetAtMostTheLimitChecked() throws {
        let server = try AuthdProcess(arguments: ["--bcrypt-cost", "10", "--hash-threads", "2", "--public-metrics"])
        try Self.register(server, "fresh@b.c", "right")
        // Each guess on its own connection, all sent before any bcrypt run can end.
        let clients = try (0..<40).map { _ in try RawClient(port: server.port, timeoutSeconds: 60, from: "127.0.0.2") }
        for (index, client) in clients.enumerated() { try client.send(Self.login("fresh@b.c", "guess\(index)")) }
        let statuses = try clients.map { try $0.readResponse()?.status ?? -1 }
        #expect(statuses.filter { $0 == 401 }.count == 5, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 35)
        #expect(try Self.metric(server, "authd_logins_failed_total") == 5)
    }

    @Test func aFloodOfJunkLoginsFromABlockedAddressLiftsNoBlock() async throws {
        // A block that outlasts the flood however slow the machine: the window, 15 min.
        let server = try AuthdProcess(arguments: [
            "--address-failure-limit", "10", "--throttle-backoff", "15m", "--no-access-log", "--public-metrics",
        ])
        try Self.register(server, "victim@b.c", "right")
        for index in 0..<5 { #expect(try Self.login(server, "victim@b.c", "wrong\(index)", from: "127.0.0.9") == 401) }
        for index in 0..<5 { #expect(try Self.login(server, "junk\(index)@b.c", "x", from: "127.0.0.9") == 401) }
        // Now blocked for the victim's pair and as an address: 70 000 cheap logins with junk emails,
        // pipelined 200 at a time on ten connections.
        let port = server.port
        let tallies = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
            for connection in 0..<10 {
                group.addTask {
                    try await onOwnThread {
                        let client = try RawClient(port: port, timeoutSeconds: 60, from: "127.0.0.9")
                        var statuses: [Int: Int] = [:]
                        for round in 0..<35 {
                            try client.send(
                                (0..<200).flatMap { Self.login("flood\(connection)-\(round)-\($0)@b.c", "x") })
                            for _ in 0..<200 { statuses[try client.readResponse()?.status ?? -1, default: 0] += 1 }
                        }
                        return statuses
                    }
                }
            }
            return try await group.reduce(into: [Int: Int]()) { total, next in total.merge(next, uniquingKeysWith: +) }
        }
        #expect(tallies == [429: 70_000], "\(tallies)")
        #expect(try Self.login(server, "victim@b.c", "right", from: "127.0.0.9") == 429)
        // Only admitted attempts entered the tables.
        #expect(try #require(try Self.metric(server, "authd_throttle_keys")) < 30)
    }

    @Test func theOwnerLogsInFromHerAddressWhileAStrangerHammersTheAccount() throws {
        let server = try AuthdProcess(arguments: ["--account-failure-limit", "10"])
        try Self.register(server, "owner@b.c", "right")
        #expect(try Self.login(server, "owner@b.c", "right", from: "127.0.0.2") == 200)
        // One stranger: five guesses block that stranger's pair only.
        for index in 0..<5 { #expect(try Self.login(server, "owner@b.c", "w\(index)", from: "127.0.0.3") == 401) }
        #expect(try Self.login(server, "owner@b.c", "right", from: "127.0.0.3") == 429)
        #expect(try Self.login(server, "owner@b.c", "right", from: "127.0.0.4") == 200)
        // Distributed guessing past the account limit: strangers are slowed to one attempt a slot.
        for index in 0..<5 {
            #expect(try Self.login(server, "owner@b.c", "d\(index)", from: "127.0.1.\(index + 1)") == 401)
        }
        let slowed = (0..<5).map { index in
            (try? Self.login(server, "owner@b.c", "s\(index)", from: "127.0.2.\(index + 1)")) ?? -1
        }
        #expect(slowed.filter { $0 == 429 }.count >= 4, "\(slowed)")
        // The owner, from the address she logged in from, is not slowed.
        #expect(try Self.login(server, "owner@b.c", "right", from: "127.0.0.2") == 200)
    }
}
