import Foundation

/// Registrations sent without pause from several threads, each thread through one node, until
/// `finish()`: the write load that a node kill, a database outage or a failover must not lose
/// anything acknowledged from. Blocking sockets on threads of their own (`onThreads`).
final class RegistrationLoad: @unchecked Sendable {
    /// One registration tried: the email, the node's port, the status (nil when no answer came:
    /// the connection was lost or the read timed out), `Retry-After`, when it was sent and how long
    /// it took.
    struct Attempt: Sendable {
        var email: String
        var port: Int
        var status: Int?
        var retryAfter: String?
        var started: ContinuousClock.Instant
        var seconds: Double
    }

    private let ports: [Int]
    private let threads: Int
    private let prefix: String
    private let finished = Locked(false)
    private let attempts = Locked([Attempt]())

    /// `threads` senders, thread `t` on `ports[t % ports.count]`; emails start with `prefix`.
    init(ports: [Int], threads: Int, prefix: String) {
        self.ports = ports
        self.threads = threads
        self.prefix = prefix
    }

    /// Runs the load until `finish()`; blocks, so call it through `onOwnThread`.
    func run() -> [Attempt] {
        onThreads(threads) { thread in self.send(from: thread) }
        return attempts.current
    }

    /// Tells every sender to stop after its request in flight.
    func finish() { finished.update { $0 = true } }

    /// The attempts so far (the load goes on).
    var soFar: [Attempt] { attempts.current }

    private func send(from thread: Int) {
        let port = ports[thread % ports.count]
        var connection: RawClient?
        var index = 0
        while !finished.current {
            // A node that is gone refuses connections: wait a little rather than spin.
            if connection == nil { connection = try? RawClient(port: port, timeoutSeconds: 20) }
            guard let client = connection else {
                usleep(50_000)
                continue
            }
            let email = "\(prefix)-\(thread)-\(index)@b.c"
            index += 1
            let body = "email=\(email.replacingOccurrences(of: "@", with: "%40"))&password=pw"
            let started = ContinuousClock.now
            let answer = (try? client.send(formPost("/users", body: Array(body.utf8)))).flatMap {
                (try? client.readResponse()) ?? nil
            }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            attempts.update {
                $0.append(
                    Attempt(
                        email: email, port: port, status: answer?.status, retryAfter: answer?.header("Retry-After"),
                        started: started, seconds: seconds))
            }
            if answer == nil || answer?.header("Connection")?.lowercased() == "close" { connection = nil }
            // A 503 comes back in microseconds: without a pause the senders would spin on two
            // shared cores and starve the very reconnection and promotion a test waits for. A
            // short one, not Retry-After's seconds, so the test sees the moment service returns.
            if answer?.status == 503 { usleep(20_000) }
        }
    }

    /// The emails among `emails` that do not log in with password `pw` through `port`: one
    /// connection, 32 logins pipelined at a time.
    static func failedLogins(_ emails: [String], port: Int) throws -> [String] {
        let connection = try RawClient(port: port, timeoutSeconds: 30)
        var failed: [String] = []
        for batch in stride(from: 0, to: emails.count, by: 32) {
            let part = emails[batch..<min(batch + 32, emails.count)]
            try connection.send(
                part.flatMap { email in
                    formPost(
                        "/sessions",
                        body: Array("email=\(email.replacingOccurrences(of: "@", with: "%40"))&password=pw".utf8))
                })
            for email in part {
                if try connection.readResponse()?.status != 200 { failed.append(email) }
            }
        }
        return failed
    }
}
