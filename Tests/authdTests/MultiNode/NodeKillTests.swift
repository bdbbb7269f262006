import Foundation
import Testing

extension MultiNodeSuites {
    /// A node lost with SIGKILL loses nothing it acknowledged: its 200s were committed in the
    /// database before they were sent, so the surviving nodes know every one of them.
    @Suite struct NodeKillTests {
        @Test func everyRegistrationAcknowledgedByAKilledNodeLogsInThroughAnother() async throws {
            let database = try PostgresEnvironment.createDatabase()
            let nodes = try await AuthdNodes.start(3, database: database.url, ["--address-request-limit", "0"])
            let victim = nodes.nodes[0]
            let load = RegistrationLoad(ports: nodes.nodes.map(\.port), threads: 6, prefix: "kill")
            let running = Task { try await onOwnThread { load.run() } }
            // However the test ends, early by a thrown error too, the senders stop.
            defer { load.finish() }

            // Kill once the victim has acknowledged some, so that the test always has something to prove.
            let victimPort = victim.port
            let busy = await eventually(within: 20) {
                load.soFar.filter { $0.port == victimPort && $0.status == 200 }.count >= 100
            }
            kill(victim.process.processIdentifier, SIGKILL)
            // The others go on for a moment after the kill: the survivors must keep serving.
            let killedAt = load.soFar.count
            _ = await eventually(within: 10) { load.soFar.count >= killedAt + 200 }
            load.finish()
            let attempts = try await running.value
            _ = await eventually(within: 10) { !victim.process.isRunning }

            #expect(busy, "the victim acknowledged too little before the kill\n\(nodes.logs)")
            #expect(victim.process.terminationReason == .uncaughtSignal)
            let acknowledged = attempts.filter { $0.status == 200 }
            let byVictim = acknowledged.filter { $0.port == victimPort }
            #expect(byVictim.count >= 100)
            #expect(acknowledged.count > byVictim.count, "the surviving nodes acknowledged nothing")
            // A request whose answer never came may or may not have been applied; any other
            // answer than 200 would be a fault.
            #expect(attempts.allSatisfy { $0.status == nil || $0.status == 200 }, "\(Set(attempts.map(\.status)))")

            let emails = acknowledged.map(\.email)
            let survivors = [nodes.nodes[1].port, nodes.nodes[2].port]
            let lost = try await onOwnThread {
                let half = emails.count / 2
                return try RegistrationLoad.failedLogins(Array(emails[..<half]), port: survivors[0])
                    + RegistrationLoad.failedLogins(Array(emails[half...]), port: survivors[1])
            }
            #expect(
                lost.isEmpty, "\(lost.count) of \(emails.count) acknowledged registrations lost: \(lost.prefix(10))")
            #expect(try await nodes.stop()[1...] == [0, 0])
        }
    }
}
