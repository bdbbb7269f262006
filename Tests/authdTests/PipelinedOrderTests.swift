import Foundation
import Testing

/// RFC 9112 §9.3.2 on one connection: an unsafe request starts only once every earlier one is
/// answered, a request behind an unanswered unsafe one waits for it, and safe requests still overlap.
@Suite struct PipelinedOrderTests {
    private static func form(_ method: String, _ path: String, _ fields: String) -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: \(fields.utf8.count)\r\n\r\n\(fields)"
    }

    private static func credentials(_ email: String) -> String {
        "email=\(email.replacingOccurrences(of: "@", with: "%40"))&password=pw"
    }

    private static func register(_ email: String) -> String { form("POST", "/users", credentials(email)) }
    private static func login(_ email: String) -> String { form("POST", "/sessions", credentials(email)) }

    private static func withCookie(_ method: String, _ path: String, _ sessionID: String?) -> String {
        let cookie = sessionID.map { "Cookie: session_id=\($0)\r\n" } ?? ""
        return "\(method) \(path) HTTP/1.1\r\nHost: x\r\n\(cookie)\r\n"
    }

    /// The session id of a login answer's `Set-Cookie`.
    private static func sessionID(of answer: RawResponse) throws -> String {
        let cookie = try #require(answer.header("Set-Cookie"))
        let pair = try #require(cookie.split(separator: ";").first)
        #expect(pair.hasPrefix("session_id="))
        return String(pair.dropFirst("session_id=".count))
    }

    /// Registers `email` and logs it in on `client`, one request at a time; returns the session id.
    private static func loggedIn(_ email: String, on client: RawClient) throws -> String {
        try client.send(register(email))
        #expect(try client.readResponse()?.status == 200)
        try client.send(login(email))
        let answer = try #require(try client.readResponse())
        #expect(answer.status == 200)
        return try sessionID(of: answer)
    }

    /// Sends `bytes` from a thread of its own: a burst larger than the socket buffers would block
    /// a sender that does not read its answers at the same time.
    private static func sendInBackground(_ bytes: [UInt8], fd: Int32) -> DispatchGroup {
        let group = DispatchGroup()
        group.enter()
        Thread {
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { break }
                sent += n
            }
            group.leave()
        }.start()
        return group
    }

    @Test func aPipelinedLoginWaitsForTheRegistrationBeforeIt() throws {
        // At cost 10 a hash takes tens of milliseconds: a login run beside the registration finds no user.
        let server = try AuthdProcess(arguments: ["--bcrypt-cost", "10"])
        let client = try RawClient(port: server.port)
        try client.send(Self.register("order@b.c") + Self.login("order@b.c"))
        let answers = try (0..<2).map { _ in try #require(try client.readResponse()) }
        #expect(answers.map(\.status) == [200, 200])
        #expect(answers[1].json == ["email": "order@b.c", "message": "logged in"])
    }

    /// A proxy's pooled connection carries many clients' cookies in turn; the connection remembers
    /// only its last session key, and each answer must be the holder of the cookie it came with.
    @Test func profilesWithOtherCookiesInTurnOnOneConnectionEachFindTheirOwnHolder() throws {
        let server = try AuthdProcess(arguments: ["--bcrypt-cost", "4"])
        let client = try RawClient(port: server.port)
        let first = try Self.loggedIn("first@b.c", on: client)
        let second = try Self.loggedIn("second@b.c", on: client)
        let turns: [String?] = [first, first, second, first, "unknown", first, second, second, nil, second]
        try client.send(turns.map { Self.withCookie("GET", "/profile", $0) }.joined())
        let answers = try turns.map { _ in try #require(try client.readResponse()) }
        #expect(answers.map(\.status) == turns.map { $0 == first || $0 == second ? 200 : 403 })
        for (turn, answer) in zip(turns, answers) where answer.status == 200 {
            #expect(answer.json == ["email": turn == first ? "first@b.c" : "second@b.c"])
        }
    }

    @Test func aPipelinedProfileRequestSeesTheLoginBeforeIt() throws {
        let server = try AuthdProcess(arguments: ["--bcrypt-cost", "10"])
        let client = try RawClient(port: server.port)
        let first = try Self.loggedIn("relogin@b.c", on: client)
        // The second login replaces the first session (one per user): the profile behind it must miss.
        try client.send(Self.login("relogin@b.c") + Self.withCookie("GET", "/profile", first))
        let answers = try (0..<2).map { _ in try #require(try client.readResponse()) }
        #expect(answers.map(\.status) == [200, 403])
        let second = try Self.sessionID(of: answers[0])
        try client.send(Self.withCookie("GET", "/profile", second))
        #expect(try client.readResponse()?.json == ["email": "relogin@b.c"])
    }

    @Test func aPipelinedProfileRequestSeesTheLogoutBeforeIt() throws {
        let server = try AuthdProcess()
        let client = try RawClient(port: server.port)
        let sessionID = try Self.loggedIn("logout@b.c", on: client)
        // Another user's login first: the logout waits for it, and the profile read waits for the logout.
        _ = try Self.loggedIn("other@b.c", on: client)
        try client.send(
            Self.login("other@b.c") + Self.withCookie("DELETE", "/sessions", sessionID)
                + Self.withCookie("GET", "/profile", sessionID))
        let answers = try (0..<3).map { _ in try #require(try client.readResponse()) }
        #expect(answers.map(\.status) == [200, 302, 403])
    }

    @Test func pipelinedWritesBeyondTheInFlightBoundAllRunInOrder() throws {
        // 300 requests, each depending on the one before it, well past the 64 in flight that pause reading.
        let server = try AuthdProcess(arguments: ["--address-request-limit", "0"])
        let client = try RawClient(port: server.port, timeoutSeconds: 60)
        let emails = (0..<150).map { "bound\($0)@b.c" }
        let burst = emails.map { Self.register($0) + Self.login($0) }.joined()
        let sending = Self.sendInBackground(Array(burst.utf8), fd: client.fd)
        let answers = try (0..<300).map { _ in try #require(try client.readResponse()) }
        sending.wait()
        let wrong = answers.indices.filter { answers[$0].status != 200 || answers[$0].json["email"] != emails[$0 / 2] }
        #expect(
            wrong.isEmpty,
            "\(wrong.count) wrong answers, the first at \(wrong.first ?? -1): \(wrong.first.map { answers[$0].status } ?? 0)"
        )
    }

    @Test func pipelinedWritesSentBeforeEOFAreAllAnsweredThenTheConnectionCloses() throws {
        let server = try AuthdProcess(arguments: ["--bcrypt-cost", "8"])
        let client = try RawClient(port: server.port)
        try client.send(Self.register("eof@b.c") + Self.login("eof@b.c") + Self.withCookie("GET", "/", nil))
        shutdown(client.fd, Int32(SHUT_WR))
        let answers = try (0..<3).map { _ in try #require(try client.readResponse()) }
        #expect(answers.map(\.status) == [200, 200, 200])
        #expect(client.isClosedByPeer())
    }

    @Test func pipelinedWritesStillWaitingAtSIGTERMAreRunAndAnsweredBeforeTheExit() throws {
        // Four hashes at cost 12, one after the other: most still wait to start when the drain begins.
        let server = try AuthdProcess(arguments: ["--bcrypt-cost", "12", "--shutdown-grace", "60"])
        let client = try RawClient(port: server.port, timeoutSeconds: 60)
        try client.send(
            Self.register("drain1@b.c") + Self.login("drain1@b.c") + Self.register("drain2@b.c")
                + Self.login("drain2@b.c"))
        usleep(100_000)
        kill(server.process.processIdentifier, SIGTERM)
        let answers = try (0..<4).map { _ in try #require(try client.readResponse()) }
        #expect(answers.map(\.status) == [200, 200, 200, 200])
        #expect(answers[3].header("Connection")?.lowercased() == "close")
        #expect(client.isClosedByPeer())
        #expect(server.stop(timeout: 60) == 0)
    }

    @Test func aRequestCutOffByPausedReadingIsNotTimedOutWhileTheOnesBeforeItRun() throws {
        // Over 64 KiB of logins: the first read ends inside one, with far more than 64 in flight, so
        // reading pauses; running them one by one takes longer than the 1 s request timeout.
        let server = try AuthdProcess(arguments: ["--request-timeout", "1", "--bcrypt-cost", "6"])
        let client = try RawClient(port: server.port, timeoutSeconds: 60)
        try client.send(Self.register("paused@b.c"))
        #expect(try client.readResponse()?.status == 200)
        let count = 600
        let burst = String(repeating: Self.login("paused@b.c"), count: count) + Self.withCookie("GET", "/", nil)
        #expect(burst.utf8.count > 64 * 1024)
        let sending = Self.sendInBackground(Array(burst.utf8), fd: client.fd)
        let statuses = try (0...count).map { _ in try client.readResponse()?.status ?? -1 }
        sending.wait()
        let refused = statuses.indices.filter { statuses[$0] != 200 }
        #expect(
            refused.isEmpty,
            "\(refused.count) not 200, the first at \(refused.first ?? -1): \(refused.first.map { statuses[$0] } ?? 0)")
    }

    @Test func tenThousandPipelinedProfileReadsAreAnsweredInOrder() throws {
        let server = try AuthdProcess()
        let client = try RawClient(port: server.port, timeoutSeconds: 60)
        let sessionID = try Self.loggedIn("reader@b.c", on: client)
        // Every third one without the cookie: a 403 out of place would show an answer out of order.
        let expected = (0..<10_000).map { $0 % 3 == 2 ? 403 : 200 }
        let burst = expected.map { Self.withCookie("GET", "/profile", $0 == 200 ? sessionID : nil) }.joined()
        let sending = Self.sendInBackground(Array(burst.utf8), fd: client.fd)
        let answers = try expected.indices.map { _ in try #require(try client.readResponse()) }
        sending.wait()
        #expect(answers.map(\.status) == expected)
        #expect(answers.allSatisfy { $0.status != 200 || $0.json == ["email": "reader@b.c"] })
    }
}
