import Foundation
import Testing

/// The session cache of the SQLite store against the real binary: a check repeated on a proxy's
/// keep-alive connection is answered from the cache, and whatever ends the session, in this process
/// or in another one on the same file, is refused at the very next check.
@Suite struct CachedCheckTests {
    /// One keep-alive connection asking `/verify` with one cookie, as nginx's pooled one does.
    private final class Checker {
        let raw: RawClient
        let session: String

        init(_ server: AuthdProcess, session: String) throws {
            raw = try RawClient(port: server.port, timeoutSeconds: 120)
            self.session = session
        }

        func status() throws -> Int {
            try raw.send("GET /verify HTTP/1.1\r\nHost: app.test\r\nCookie: session_id=\(session)\r\n\r\n")
            return try #require(try raw.readResponse()).status
        }

        /// Three checks, each 200: the first fills the cache, the others hit it.
        func warm() throws {
            for _ in 0..<3 { #expect(try status() == 200) }
        }
    }

    private static let email = "cached@example.com"

    /// authd keeping idle connections for long: on a loaded machine a test may pause a minute
    /// between two checks, and the checker's connection must still be the one that warmed up.
    private static func server(_ arguments: [String] = []) throws -> AuthdProcess {
        try AuthdProcess(arguments: ["--idle-timeout", "3600"] + arguments)
    }

    private static func login(
        _ client: HTTPClient, _ email: String = email, userAgent: String = "test", register: Bool = false
    ) async throws -> String {
        if register {
            try #require(
                try await client.send("POST", "/users", form: ["email": email, "password": "pw"]).status == 200)
        }
        let login = try await client.send(
            "POST", "/sessions", form: ["email": email, "password": "pw"], headers: ["User-Agent": userAgent])
        try #require(login.status == 200)
        return try #require(HTTPClient.sessionID(from: login))
    }

    @Test func aSessionRevokedFromAnotherConnectionIsRefusedAtTheNextCheck() async throws {
        let server = try Self.server(["--sessions-per-user", "5"])
        let client = HTTPClient(base: server.baseURL)
        let mine = try await Self.login(client, register: true)
        let lost = try await Self.login(client, userAgent: "lost phone")
        let checker = try Checker(server, session: lost)
        try checker.warm()
        let listed = try await client.send("GET", "/sessions", sessionID: mine)
        let sessions = try #require(
            (try JSONSerialization.jsonObject(with: listed.body) as? [String: Any])?["sessions"] as? [[String: Any]])
        let lostID = try #require(sessions.first { $0["user_agent"] as? String == "lost phone" }?["id"] as? String)
        #expect(try await client.send("DELETE", "/sessions/\(lostID)", sessionID: mine).status == 200)
        #expect(try checker.status() == 401)
    }

    @Test func aLoggedOutSessionIsRefusedAtTheNextCheck() async throws {
        let server = try Self.server()
        let client = HTTPClient(base: server.baseURL)
        let session = try await Self.login(client, register: true)
        let checker = try Checker(server, session: session)
        try checker.warm()
        #expect(try await client.send("DELETE", "/sessions", sessionID: session).status == 302)
        #expect(try checker.status() == 401)
    }

    /// With the seed's one session per user, a login ends the one before (whatever their last uses).
    @Test func aSessionEndedByALoginPastTheLimitIsRefusedAtTheNextCheck() async throws {
        let server = try Self.server()
        let client = HTTPClient(base: server.baseURL)
        let before = try await Self.login(client, register: true)
        let checker = try Checker(server, session: before)
        try checker.warm()
        _ = try await Self.login(client)
        #expect(try checker.status() == 401)
    }

    @Test func theIDASecondFactorRaisedIsRefusedAtTheNextCheck() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("raised@example.com")
        let waiting = try await service.login(user)
        let checker = try Checker(service.server, session: waiting)
        // Waiting for the code: 403, from the cache after the first.
        for _ in 0..<3 { #expect(try checker.status() == 403) }
        let raised = try await service.client.send(
            "POST", "/sessions/2fa", form: ["code": try user.laterCode()], sessionID: waiting)
        #expect(raised.status == 200)
        #expect(try checker.status() == 401)
        let renewed = try Checker(service.server, session: try #require(HTTPClient.sessionID(from: raised)))
        try renewed.warm()
    }

    /// The admin commands run as other processes on the serving file: what they end is refused at
    /// the next check that starts after they exit.
    @Test func whatTheAdminCommandsEndIsRefusedAtTheNextCheck() async throws {
        let server = try Self.server()
        let client = HTTPClient(base: server.baseURL)
        let database = ["--database", server.databasePath]
        var session = try await Self.login(client, register: true)
        var checker = try Checker(server, session: session)
        try checker.warm()
        #expect(try run(AuthdProcess.binary.path, ["users", "logout", Self.email] + database).status == 0)
        #expect(try checker.status() == 401)

        session = try await Self.login(client)
        checker = try Checker(server, session: session)
        try checker.warm()
        let process = Process()
        process.executableURL = AuthdProcess.binary
        process.arguments = ["users", "set-password", Self.email] + database
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("another-password\n".utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try checker.status() == 401)

        let other = "deleted@example.com"
        session = try await Self.login(client, other, register: true)
        checker = try Checker(server, session: session)
        try checker.warm()
        #expect(try run(AuthdProcess.binary.path, ["users", "delete", other] + database).status == 0)
        #expect(try checker.status() == 401)
    }

    @Test func metricsCountTheChecksTheCacheAnswered() async throws {
        let server = try Self.server(["--public-metrics"])
        let client = HTTPClient(base: server.baseURL)
        func hits() async throws -> Int? {
            let page = String(decoding: try await client.send("GET", "/metrics").body, as: UTF8.self)
            let line = page.split(separator: "\n").first { $0.hasPrefix("authd_session_cache_hits_total ") }
            return line.flatMap { Int($0.split(separator: " ")[1]) }
        }
        let session = try await Self.login(client, register: true)
        #expect(try await hits() == 0)
        let checker = try Checker(server, session: session)
        for _ in 0..<10 { #expect(try checker.status() == 200) }
        // The first check fills the cache; the nine after it hit while its entry lives (1 s: on a
        // loaded machine some may come later and fill it again).
        let counted = try #require(try await hits())
        #expect((1...9).contains(counted), "\(counted)")
    }
}
