import Foundation
import Testing

extension MultiNodeSuites {
    /// The mail outbox lives in the database and every node's delivery thread reads it: each mail
    /// must still go out once, sent by exactly one node, never by both nor by neither.
    @Suite struct OutboxAcrossNodesTests {
        private static let users = 40

        /// A metric's value on a node's page, 0 when absent.
        private static func metric(_ name: String, _ client: HTTPClient) async throws -> Int {
            let page = String(decoding: try await client.send("GET", "/metrics").body, as: UTF8.self)
            let line = page.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            return line.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        }

        @Test func eachResetMailIsSentByExactlyOneOfTwoNodes() async throws {
            let folder = try TemporaryFolder()
            let mailFolder = folder.url
            let relay = try await onOwnThread { try SMTPRelayProcess(folder: mailFolder) }
            let database = try PostgresEnvironment.createDatabase()
            let nodes = try await AuthdNodes.start(
                2, database: database.url,
                [
                    "--reset-delivery", "smtp://127.0.0.1:\(relay.port)", "--mail-from", "noreply@app.test",
                    "--address-request-limit", "0", "--public-metrics",
                ])
            let emails = (0..<Self.users).map { "mail\($0)@b.c" }
            for (index, email) in emails.enumerated() {
                #expect(
                    try await nodes.client(index).send("POST", "/users", form: ["email": email, "password": "pw"])
                        .status
                        == 200)
            }
            // All requests at once, half through each node, so both delivery threads find a full outbox.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, email) in emails.enumerated() {
                    let client = nodes.client(index)
                    group.addTask { try await client.send("POST", "/reset_password", form: ["email": email]).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: Self.users))

            #expect(await relay.waitForMails(Self.users, seconds: 30), "\(relay.mails.count) mails\n\(nodes.logs)")
            // Time for a second copy to arrive, had a node sent one.
            try await Task.sleep(for: .seconds(2))
            let recipients = relay.mails.compactMap { mail in
                mail.split(separator: "\r\n").first { $0.hasPrefix("X-Envelope-To: ") }.map {
                    String($0.dropFirst("X-Envelope-To: ".count))
                }
            }
            #expect(
                recipients.sorted() == emails.sorted(), "\(recipients.count) mails for \(Set(recipients).count) users")
            let perNode = try await nodes.clients.asyncMap { try await Self.metric("authd_reset_mails_sent_total", $0) }
            #expect(perNode.reduce(0, +) == Self.users, "sent per node: \(perNode)")
            #expect(try database.query("SELECT count(*) FROM authd_outbox") == "0")
            #expect(try await nodes.stop() == [0, 0])
        }
    }
}

extension Array {
    /// `map` with an async transform, one element after another.
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
