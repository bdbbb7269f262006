import Foundation
import Testing

extension MultiNodeSuites {
    /// A node claims up to 64 due mails for a 60 s lease (`PostgreSQLUserStore.mailLease`) and
    /// sends them one after another. Behind a slow relay that batch outlasts its lease: the other
    /// node then claims the mails not yet sent, while the first still sends them from its copy.
    /// Each mail must still reach its user once. About 80 s: the lease cannot be shortened.
    @Suite struct OutboxLeaseTests {
        private static let users = 30

        @Test func aBatchThatOutlastsItsLeaseIsStillMailedOnce() async throws {
            let folder = try TemporaryFolder()
            let mailFolder = folder.url
            // 2.5 s a mail: 30 mails take 75 s on one node, past the 60 s lease.
            let relay = try await onOwnThread { try SMTPRelayProcess(folder: mailFolder, mode: "slow") }
            let database = try PostgresEnvironment.createDatabase()
            let nodes = try await AuthdNodes.start(
                2, database: database.url,
                [
                    "--reset-delivery", "smtp://127.0.0.1:\(relay.port)", "--mail-from", "noreply@app.test",
                    "--address-request-limit", "0",
                ])
            let emails = (0..<Self.users).map { "lease\($0)@b.c" }
            // Every request through node 0, so that its delivery thread claims the whole outbox
            // while node 1's sleeps; node 1 looks again when the lease ends.
            for email in emails {
                #expect(
                    try await nodes.client(0).send("POST", "/users", form: ["email": email, "password": "pw"]).status
                        == 200)
                #expect(try await nodes.client(0).send("POST", "/reset_password", form: ["email": email]).status == 200)
            }
            #expect(await relay.waitForMails(Self.users, seconds: 120), "\(relay.mails.count) mails\n\(nodes.logs)")
            // Then until the last sender has removed its last mail (psql twice a second, not 50 times).
            var drained = false
            for _ in 0..<40 where !drained {
                drained = try database.query("SELECT count(*) FROM authd_outbox") == "0"
                if !drained { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(drained, "the outbox did not drain\n\(nodes.logs)")
            // Time for a copy in flight to arrive.
            try await Task.sleep(for: .seconds(4))
            let recipients = relay.mails.compactMap { mail in
                mail.split(separator: "\r\n").first { $0.hasPrefix("X-Envelope-To: ") }.map {
                    String($0.dropFirst("X-Envelope-To: ".count))
                }
            }
            #expect(Set(recipients) == Set(emails))
            let twice = Dictionary(grouping: recipients, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            #expect(twice.isEmpty, "mailed more than once: \(twice)")
            #expect(try await nodes.stop() == [0, 0])
        }
    }
}
