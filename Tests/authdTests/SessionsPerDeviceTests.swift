import Foundation
import Testing

/// Sessions per device against the real binary (`--sessions-per-user`, `--session-idle-timeout`,
/// `GET /sessions`, `DELETE /sessions/{id}`, `DELETE /sessions?scope=`), over real sockets.
/// Serialized: the idle-timeout cases count seconds, and their neighbours' bcrypt runs must not
/// stretch a login past them.
@Suite(.serialized) struct SessionsPerDeviceTests {
    private let email = "devices@example.com"

    /// Registers `email` and logs in with `userAgent`; the session id.
    private static func login(
        _ client: HTTPClient, _ email: String, userAgent: String = "test", register: Bool = false
    ) async throws -> String {
        if register { _ = try await client.send("POST", "/users", form: ["email": email, "password": "pw"]) }
        let login = try await client.send(
            "POST", "/sessions", form: ["email": email, "password": "pw"], headers: ["User-Agent": userAgent])
        try #require(login.status == 200)
        return try #require(HTTPClient.sessionID(from: login))
    }

    /// `GET /sessions` as the holder of `sessionID` sees it.
    private static func list(_ client: HTTPClient, _ sessionID: String) async throws -> [[String: Any]] {
        let answer = try await client.send("GET", "/sessions", sessionID: sessionID)
        try #require(answer.status == 200)
        #expect(answer.header("Cache-Control") == "no-store")
        let body = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        return try #require(body["sessions"] as? [[String: Any]])
    }

    @Test func twoClientsKeepTwoSessionsAndTheListMarksEachOnesOwn() async throws {
        let server = try AuthdProcess(arguments: ["--sessions-per-user", "3"])
        let client = HTTPClient(base: server.baseURL)
        let phone = try await Self.login(client, email, userAgent: "Phone/1.0", register: true)
        let laptop = try await Self.login(client, email, userAgent: "Laptop/2.0")
        #expect(try await client.send("GET", "/profile", sessionID: phone).json == ["email": email])
        #expect(try await client.send("GET", "/profile", sessionID: laptop).json == ["email": email])

        let seenByPhone = try await Self.list(client, phone)
        #expect(seenByPhone.map { $0["user_agent"] as? String } == ["Laptop/2.0", "Phone/1.0"])
        #expect(seenByPhone.map { $0["current"] as? Bool } == [false, true])
        #expect(seenByPhone.allSatisfy { $0["address"] as? String == "127.0.0.1" })
        for entry in seenByPhone {
            let id = try #require(entry["id"] as? String)
            #expect(id.count == 16 && id != phone && id != laptop)
            #expect((entry["created"] as? String)?.hasSuffix("Z") == true)
            #expect((entry["last_seen"] as? String)?.hasSuffix("Z") == true)
        }
        #expect(try await Self.list(client, laptop).map { $0["current"] as? Bool } == [true, false])
        // No cookie, no list.
        #expect(try await client.send("GET", "/sessions").status == 403)
    }

    @Test func theDefaultKeepsTheSeedsOneSessionPerUser() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        let first = try await Self.login(client, email, register: true)
        let second = try await Self.login(client, email)
        #expect(try await client.send("GET", "/profile", sessionID: first).status == 403)
        #expect(try await client.send("GET", "/profile", sessionID: second).status == 200)
        #expect(try await Self.list(client, second).count == 1)
    }

    @Test func aLoginPastTheLimitEndsTheLeastRecentlyUsedSession() async throws {
        // A 20 s idle timeout writes the last use at most every 5 s, so a wait past that orders
        // them by use rather than by age, with room to spare on a loaded machine.
        let server = try AuthdProcess(arguments: ["--sessions-per-user", "2", "--session-idle-timeout", "20"])
        let client = HTTPClient(base: server.baseURL)
        let older = try await Self.login(client, email, register: true)
        let newer = try await Self.login(client, email)
        try await Task.sleep(for: .milliseconds(5300))
        #expect(try await client.send("GET", "/profile", sessionID: older).status == 200)
        let third = try await Self.login(client, email)
        #expect(try await client.send("GET", "/profile", sessionID: newer).status == 403)
        #expect(try await client.send("GET", "/profile", sessionID: older).status == 200)
        #expect(try await client.send("GET", "/profile", sessionID: third).status == 200)
        #expect(server.log.contains(#""audit":"session_ended""#) && server.log.contains(#""reason":"evicted""#))
    }

    @Test func revokingOneSessionEndsItAtOnceAndLeavesTheOther() async throws {
        let server = try AuthdProcess(arguments: ["--sessions-per-user", "5"])
        let client = HTTPClient(base: server.baseURL)
        let mine = try await Self.login(client, email, register: true)
        let lost = try await Self.login(client, email, userAgent: "lost phone")
        let lostID = try #require(
            try await Self.list(client, mine).first { $0["user_agent"] as? String == "lost phone" }?["id"] as? String)
        let revoked = try await client.send("DELETE", "/sessions/\(lostID)", sessionID: mine)
        #expect(revoked.status == 200)
        #expect(revoked.json == ["message": "session ended"])
        #expect(try await client.send("GET", "/profile", sessionID: lost).status == 403)
        #expect(try await client.send("GET", "/profile", sessionID: mine).status == 200)
        let again = try await client.send("DELETE", "/sessions/\(lostID)", sessionID: mine)
        #expect(again.status == 404)
        #expect(server.log.contains(#""reason":"revoked""#))
    }

    @Test func anotherUsersSessionIdAnswersAsAnUnknownOne() async throws {
        let server = try AuthdProcess(arguments: ["--sessions-per-user", "5"])
        let client = HTTPClient(base: server.baseURL)
        let mine = try await Self.login(client, email, register: true)
        let theirs = try await Self.login(client, "other@example.com", register: true)
        let theirID = try #require(try await Self.list(client, theirs).first?["id"] as? String)
        let foreign = try await client.send("DELETE", "/sessions/\(theirID)", sessionID: mine)
        let unknown = try await client.send("DELETE", "/sessions/0123456789abcdef", sessionID: mine)
        let malformed = try await client.send("DELETE", "/sessions/not-a-handle", sessionID: mine)
        #expect(foreign.status == 404 && unknown.status == 404 && malformed.status == 404)
        #expect(foreign.body == unknown.body && unknown.body == malformed.body)
        #expect(try await client.send("GET", "/profile", sessionID: theirs).status == 200)
        #expect(try await client.send("DELETE", "/sessions/\(theirID)").status == 403)
    }

    @Test func scopeOthersKeepsThisSessionAndGlobalEndsEveryOne() async throws {
        let server = try AuthdProcess(arguments: ["--sessions-per-user", "5"])
        let client = HTTPClient(base: server.baseURL)
        let here = try await Self.login(client, email, register: true)
        let elsewhere = [try await Self.login(client, email), try await Self.login(client, email)]
        let others = try await client.send("DELETE", "/sessions?scope=others", sessionID: here)
        #expect(others.status == 200)
        #expect(others.json == ["message": "sessions ended"])
        for session in elsewhere {
            #expect(try await client.send("GET", "/profile", sessionID: session).status == 403)
        }
        #expect(try await client.send("GET", "/profile", sessionID: here).status == 200)

        let another = try await Self.login(client, email)
        let global = try await client.send("DELETE", "/sessions?scope=global", sessionID: another)
        #expect(global.status == 200)
        #expect(global.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(try await client.send("GET", "/profile", sessionID: here).status == 403)
        #expect(try await client.send("GET", "/profile", sessionID: another).status == 403)

        let last = try await Self.login(client, email)
        #expect(try await client.send("DELETE", "/sessions?scope=everything", sessionID: last).status == 400)
        // Without a scope it is still the seed's log-out.
        let seed = try await client.send("DELETE", "/sessions", sessionID: last)
        #expect(seed.status == 302 && seed.header("Location") == "/")
    }

    @Test func anIdleSessionEndsWhileOneInUseLives() async throws {
        let server = try AuthdProcess(arguments: ["--sessions-per-user", "2", "--session-idle-timeout", "4"])
        let client = HTTPClient(base: server.baseURL)
        let idle = try await Self.login(client, email, register: true)
        let used = try await Self.login(client, email)
        let start = Date()
        var statuses: [Int] = []
        while Date().timeIntervalSince(start) < 10 {
            statuses.append(try await client.send("GET", "/profile", sessionID: used).status)
            try await Task.sleep(for: .seconds(1))
        }
        #expect(statuses.count >= 8 && statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        let gone = try await client.send("GET", "/profile", sessionID: idle)
        #expect(gone.status == 403)
        #expect(gone.json == ["message": "no valid session"])
        // The audit lines are written after the answer, at the end of the loop cycle that sent it.
        #expect(await eventually(within: 10) { server.log.contains(#""reason":"idle""#) }, "\(server.log)")
        #expect(try await Self.list(client, used).count == 1)
    }

    @Test func validChecksCommitNothingWithTheIdleTimeoutOn() async throws {
        try Prerequisite.require(.requests)
        let server = try AuthdProcess(arguments: ["--session-idle-timeout", "10m"])
        let client = HTTPClient(base: server.baseURL)
        let session = try await Self.login(client, email, register: true)
        #expect(try await client.send("GET", "/profile", sessionID: session).status == 200)
        // Another connection's PRAGMA data_version changes with every commit made by any other.
        let script = """
            import sqlite3, sys, requests
            watcher = sqlite3.connect(sys.argv[1])
            before = watcher.execute("PRAGMA data_version").fetchone()[0]
            with requests.Session() as http:
                http.cookies.set("session_id", sys.argv[3])
                codes = {http.get(sys.argv[2] + "/profile").status_code for _ in range(2000)}
            after = watcher.execute("PRAGMA data_version").fetchone()[0]
            print(before, after, sorted(codes))
            """
        let result = try run("/usr/bin/env", ["python3", "-c", script, server.databasePath, server.baseURL, session])
        let words = result.output.split(separator: " ", maxSplits: 2).map(String.init)
        #expect(result.status == 0, "\(result.output)")
        #expect(words.count == 3 && words[0] == words[1], "\(result.output)")
        #expect(words.last?.trimmingCharacters(in: .whitespacesAndNewlines) == "[200]", "\(result.output)")
    }

    @Test func unboundedSettingsAreRefusedAtStart() throws {
        #expect(throws: AuthdProcessError.self) { try AuthdProcess(arguments: ["--sessions-per-user", "0"]) }
        #expect(throws: AuthdProcessError.self) {
            try AuthdProcess(environment: ["AUTHD_SESSION_IDLE_TIMEOUT": "soon"])
        }
    }
}
