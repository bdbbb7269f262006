import Foundation
import Testing

extension HeavyFaultSuites {
    /// SIGKILL under write load loses nothing acknowledged: after a restart on the same file every
    /// email that got a 200 logs in, and SQLite's integrity check passes. Repeated 20 times.
    @Suite struct KillRecoveryTests {
        private static func form(_ path: String, _ email: String) -> String {
            let body = "email=\(email.replacingOccurrences(of: "@", with: "%40"))&password=pw"
            return
                "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }

        /// Registers from 3 clients until the server dies; returns the emails answered 200.
        private static func registerUntilKilled(port: Int, round: Int) -> [String] {
            let acknowledged = Locked([String]())
            onThreads(3) { client in
                guard let connection = try? RawClient(port: port) else { return }
                for index in 0... {
                    let email = "r\(round)-\(client)-\(index)@x"
                    guard (try? connection.send(form("/users", email))) != nil,
                        let answer = (try? connection.readResponse()) ?? nil
                    else { return }
                    if answer.status == 200 { acknowledged.update { $0.append(email) } }
                }
            }
            return acknowledged.current
        }

        /// Logs every email in over one pipelined connection; returns those not answered 200.
        private static func failedLogins(_ emails: [String], port: Int) throws -> [String] {
            let connection = try RawClient(port: port)
            var failed: [String] = []
            for batch in stride(from: 0, to: emails.count, by: 32) {
                let part = emails[batch..<min(batch + 32, emails.count)]
                try connection.send(part.map { form("/sessions", $0) }.joined())
                for email in part {
                    if try connection.readResponse()?.status != 200 { failed.append(email) }
                }
            }
            return failed
        }

        @Test func everyAcknowledgedRegistrationSurvivesKillNine() async throws {
            try Prerequisite.require(.sqlite3)
            let rounds = try await onOwnThread { try Self.killRounds(20) }
            #expect(rounds.count == 20)
            for (index, round) in rounds.enumerated() {
                #expect(round.lostAfterRestart.isEmpty, "round \(index) lost \(round.lostAfterRestart)")
                #expect(round.killed, "round \(index) did not die of SIGKILL")
                #expect(round.integrity == "ok", "round \(index): \(round.integrity)")
            }
            #expect(rounds.map(\.acknowledged).reduce(0, +) > 0)
        }

        /// Each round: restart on the file, log in last round's acknowledged users, register under
        /// load, SIGKILL at a random moment, check integrity; the last users are checked after.
        private static func killRounds(_ count: Int) throws
            -> [(acknowledged: Int, lostAfterRestart: [String], killed: Bool, integrity: String)]
        {
            let folder = try TemporaryFolder()
            let database = folder.url.appendingPathComponent("authd.db").path
            var pending: [String] = []
            var rounds: [(acknowledged: Int, lostAfterRestart: [String], killed: Bool, integrity: String)] = []
            for round in 0..<count {
                // Registrations flood from one address: the per-address budget would turn most into 429.
                let server = try AuthdProcess(arguments: ["--address-request-limit", "0"], database: database)
                if round > 0 { rounds[round - 1].lostAfterRestart = try failedLogins(pending, port: server.port) }
                let pid = server.process.processIdentifier
                let killer = Thread {
                    Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.4))
                    kill(pid, SIGKILL)
                }
                killer.start()
                pending = registerUntilKilled(port: server.port, round: round)
                server.process.waitUntilExit()
                let check = try run("/usr/bin/sqlite3", [database, "PRAGMA integrity_check"])
                rounds.append(
                    (
                        pending.count, [], server.process.terminationReason == .uncaughtSignal,
                        check.output.trimmingCharacters(in: .whitespacesAndNewlines)
                    ))
            }
            let last = try AuthdProcess(database: database)
            rounds[count - 1].lostAfterRestart = try failedLogins(pending, port: last.port)
            return rounds
        }
    }
}
