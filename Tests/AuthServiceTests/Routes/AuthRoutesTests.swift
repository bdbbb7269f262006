import Foundation
import HTTPParser
import Logging
import Synchronization
import Testing

@testable import AuthService

/// The handlers in process, request in and answer out, on the in-memory store: each route's
/// status, JSON body and headers, with no socket and no database file.
@Suite struct AuthRoutesTests {
    private let auth: Auth
    private let routes: AuthRoutes
    private let audit = AuditCollector()
    /// Time moves only when a test says so: a block must not end while a loaded machine hashes.
    private let clock = ClockForTests()

    init() throws {
        var configuration = AuthConfiguration(bcryptCost: 4, hashThreads: 1, clock: clock.read)
        configuration.throttling.emailFailureLimit = 3
        configuration.throttling.addressRequestLimit = 5
        auth = try Auth(store: InMemoryUserStore(), configuration: configuration, audit: audit)
        routes = AuthRoutes(auth: auth, logger: Logger(label: "test"))
    }

    private func send(
        _ method: HTTPMethod, _ target: String, form: [String: String]? = nil, cookie: String? = nil,
        from address: String = "192.0.2.7", throttleKey: String = "", exempt: Bool = false,
        connection: ClientConnection? = nil
    ) async -> Response {
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        if let form {
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            body = Array(
                form.sorted { $0.key < $1.key }.map { key, value in
                    "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
                }.joined(separator: "&").utf8)
        }
        if let cookie { headers.append(("Cookie", "session_id=\(cookie)")) }
        var request = Request(method: method, target: target, headers: HTTPHeaders(headers), body: body)
        request.clientAddress = address
        request.clientThrottleKey = throttleKey
        request.clientIsExemptFromLimits = exempt
        return await withCheckedContinuation { done in
            routes.handle(request, connection: connection) { done.resume(returning: $0) }
        }
    }

    private func json(_ response: Response) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: String] ?? [:]
    }

    private func header(_ response: Response, _ name: String) -> String? {
        response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    private func sessionID(_ response: Response) -> String? {
        header(response, "Set-Cookie").flatMap { cookie in
            cookie.split(separator: ";").first.map { String($0.dropFirst("session_id=".count)) }
        }
    }

    /// A keep-alive connection remembers the key of the last session id it sent; each answer must
    /// still be for the cookie of that request, and the session is read afresh every time.
    @Test func aConnectionAnswersEachProfileForTheCookieItCarries() async throws {
        defer { auth.shutdown() }
        var sessions: [String] = []
        for email in ["a@b.c", "d@e.f"] {
            #expect(await send(.post, "/users", form: ["email": email, "password": "pw"]).status == 200)
            let login = await send(.post, "/sessions", form: ["email": email, "password": "pw"])
            sessions.append(try #require(sessionID(login)))
        }
        let connection = ClientConnection()
        for (turn, holder) in [0, 0, 1, 0, 1, 1].enumerated() {
            let answer = await send(.get, "/profile", cookie: sessions[holder], connection: connection)
            #expect(json(answer) == ["email": ["a@b.c", "d@e.f"][holder]], "request \(turn)")
        }
        for near in [String(sessions[1].dropLast()), sessions[1] + "0", sessions[1].uppercased(), ""] {
            #expect(await send(.get, "/profile", cookie: near, connection: connection).status == 403, "\(near)")
        }
        #expect(json(await send(.get, "/profile", cookie: sessions[1], connection: connection)) == ["email": "d@e.f"])
        // Remembered is the key, never the session: a logout on another connection ends it at once.
        #expect(await send(.delete, "/sessions", cookie: sessions[1]).status == 302)
        #expect(await send(.get, "/profile", cookie: sessions[1], connection: connection).status == 403)
        #expect(json(await send(.get, "/profile", cookie: sessions[0], connection: connection)) == ["email": "a@b.c"])
    }

    @Test func theSeedFlowAnswersAsTheSeedDoes() async throws {
        defer { auth.shutdown() }
        #expect(json(await send(.get, "/")) == ["message": "Bienvenue"])
        let created = await send(.post, "/users", form: ["email": "g@h.io", "password": "b4l0u"])
        #expect(created.status == 200 && json(created) == ["email": "g@h.io", "message": "user created"])
        #expect(await send(.post, "/sessions", form: ["email": "g@h.io", "password": "wrong"]).status == 401)
        #expect(await send(.get, "/profile").status == 403)
        let login = await send(.post, "/sessions", form: ["email": "g@h.io", "password": "b4l0u"])
        #expect(login.status == 200 && json(login) == ["email": "g@h.io", "message": "logged in"])
        let session = try #require(sessionID(login))
        #expect(header(login, "Set-Cookie") == "session_id=\(session); Path=/; HttpOnly; SameSite=Lax")
        #expect(header(login, "Cache-Control") == "no-store")
        #expect(json(await send(.get, "/profile", cookie: session)) == ["email": "g@h.io"])
        let logout = await send(.delete, "/sessions", cookie: session)
        #expect(logout.status == 302 && header(logout, "Location") == "/")
        #expect(header(logout, "Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(await send(.get, "/profile", cookie: session).status == 403)
        let reset = await send(.post, "/reset_password", form: ["email": "g@h.io"])
        let token = try #require(json(reset)["reset_token"])
        #expect(reset.status == 200 && header(reset, "Cache-Control") == "no-store")
        let update = await send(
            .put, "/reset_password", form: ["email": "g@h.io", "reset_token": token, "new_password": "t4rt"])
        #expect(update.status == 200 && json(update) == ["email": "g@h.io", "message": "Password updated"])
        #expect(await send(.post, "/sessions", form: ["email": "g@h.io", "password": "t4rt"]).status == 200)
    }

    @Test func domainFailuresMapToTheirStatusAndMessage() async throws {
        defer { auth.shutdown() }
        _ = await send(.post, "/users", form: ["email": "a@b.c", "password": "pw"])
        let taken = await send(.post, "/users", form: ["email": "a@b.c", "password": "pw"])
        #expect(taken.status == 400 && json(taken) == ["message": "email already registered"])
        let long = await send(.post, "/users", form: ["email": "l@b.c", "password": String(repeating: "x", count: 73)])
        #expect(
            long.status == 400
                && json(long) == [
                    "message":
                        "password longer than 72 bytes: bcrypt's limit counts UTF-8 bytes, not characters (an accented letter takes 2, a kanji 3)"
                ])
        #expect(
            json(await send(.post, "/sessions", form: ["email": "a@b.c", "password": "no"])) == [
                "message": "wrong email or password"
            ])
        #expect(json(await send(.delete, "/sessions")) == ["message": "no valid session"])
        let unknown = await send(.post, "/reset_password", form: ["email": "nobody@b.c"])
        #expect(unknown.status == 403 && json(unknown) == ["message": "email not registered"])
        let noToken = await send(.put, "/reset_password", form: ["email": "a@b.c", "new_password": "x"])
        #expect(noToken.status == 403 && json(noToken) == ["message": "invalid reset token"])
        let missing = await send(.post, "/sessions", form: ["email": "a@b.c"])
        #expect(missing.status == 400 && json(missing) == ["message": "missing field: password"])
        #expect(await send(.get, "/nope").status == 404)
        let wrongMethod = await send(.patch, "/profile")
        #expect(wrongMethod.status == 405 && header(wrongMethod, "Allow") == "GET, HEAD")
    }

    @Test func theEmailLimitAnswers429WithRetryAfterAndAudits() async throws {
        defer { auth.shutdown() }
        _ = await send(.post, "/users", form: ["email": "v@b.c", "password": "right"])
        for _ in 1...3 {
            #expect(await send(.post, "/sessions", form: ["email": "v@b.c", "password": "wrong"]).status == 401)
        }
        let throttled = await send(.post, "/sessions", form: ["email": "v@b.c", "password": "right"])
        #expect(throttled.status == 429 && json(throttled) == ["message": "too many attempts; retry later"])
        #expect(Int(header(throttled, "Retry-After") ?? "") ?? 0 >= 1)
        #expect(auth.stats.loginsFailed == 3 && auth.stats.loginsThrottled == 1)
        let events = audit.records.map(\.event)
        #expect(events == [.registered, .loginFailed, .loginFailed, .loginFailed, .throttled])
        #expect(
            audit.records.last?.reason == "email_failure_limit" && audit.records.last?.client.address == "192.0.2.7")
    }

    @Test func theRequestBudgetIsPerClient() async throws {
        defer { auth.shutdown() }
        for index in 0..<5 {
            #expect(await send(.post, "/users", form: ["email": "u\(index)@b.c", "password": "pw"]).status == 200)
        }
        let refused = await send(.post, "/users", form: ["email": "u9@b.c", "password": "pw"])
        #expect(refused.status == 429 && header(refused, "Retry-After") != nil)
        #expect(await send(.post, "/reset_password", form: ["email": "u0@b.c"]).status == 429)
        #expect(
            await send(.post, "/users", form: ["email": "u9@b.c", "password": "pw"], from: "192.0.2.8").status == 200)
        #expect(auth.stats.requestsThrottled == 2)
        // The block ends, so the budget is a window, not a ban.
        clock.advance(seconds: 15 * 60)
        #expect(await send(.post, "/users", form: ["email": "u8@b.c", "password": "pw"]).status == 200)
    }

    @Test func passwordRoutesOfAClosedConnectionAnswer503WithoutHashing() async throws {
        defer { auth.shutdown() }
        #expect(await send(.post, "/users", form: ["email": "a@b.c", "password": "pw"]).status == 200)
        let gone = ClientConnection()
        gone.abandon()
        let runs = auth.stats.bcryptRuns
        let login = await send(.post, "/sessions", form: ["email": "a@b.c", "password": "pw"], connection: gone)
        #expect(login.status == 503 && header(login, "Retry-After") == "1")
        let form = ["email": "b@b.c", "password": "pw"]
        #expect(await send(.post, "/users", form: form, connection: gone).status == 503)
        // Routes that never hash ignore the flag.
        #expect(await send(.get, "/", connection: gone).status == 200)
        #expect(auth.stats.bcryptRuns == runs && auth.stats.hashJobsAbandoned == 2)
    }

    @Test func theRequestBudgetCountsUnderTheThrottleKeyTheServerFound() async throws {
        defer { auth.shutdown() }
        // One IPv6 /64, five addresses: one client.
        for index in 0..<5 {
            let address = "2001:db8:1:2::\(index + 1)"
            let answer = await send(
                .post, "/users", form: ["email": "u\(index)@b.c", "password": "pw"], from: address,
                throttleKey: "2001:db8:1:2::/64")
            #expect(answer.status == 200)
        }
        let refused = await send(
            .post, "/users", form: ["email": "u9@b.c", "password": "pw"], from: "2001:db8:1:2::77",
            throttleKey: "2001:db8:1:2::/64")
        #expect(refused.status == 429)
        let otherNetwork = await send(
            .post, "/users", form: ["email": "u9@b.c", "password": "pw"], from: "2001:db8:1:3::1",
            throttleKey: "2001:db8:1:3::/64")
        #expect(otherNetwork.status == 200)
        #expect(audit.records.last { $0.event == .registered }?.client.address == "2001:db8:1:3::1")
    }

    @Test func anExemptClientSpendsNoRequestBudgetButMeetsTheEmailLimit() async throws {
        defer { auth.shutdown() }
        for index in 0..<8 {
            #expect(
                await send(.post, "/users", form: ["email": "u\(index)@b.c", "password": "pw"], exempt: true).status
                    == 200)
        }
        for _ in 0..<3 {
            #expect(
                await send(.post, "/sessions", form: ["email": "u0@b.c", "password": "wrong"], exempt: true).status
                    == 401)
        }
        #expect(
            await send(.post, "/sessions", form: ["email": "u0@b.c", "password": "pw"], exempt: true).status == 429)
    }

    @Test func auditRecordsNameTheUserAndClientAndNeverASecret() async throws {
        defer { auth.shutdown() }
        _ = await send(.post, "/users", form: ["email": "a@b.c", "password": "pw"], from: "198.51.100.1")
        let login = await send(.post, "/sessions", form: ["email": "a@b.c", "password": "pw"], from: "198.51.100.1")
        let session = try #require(sessionID(login))
        _ = await send(.delete, "/sessions", cookie: session, from: "198.51.100.2")
        let records = audit.records
        #expect(records.map(\.event) == [.registered, .sessionStarted, .loginSucceeded, .loggedOut, .sessionEnded])
        #expect(
            records.map(\.client.address) == [
                "198.51.100.1", "198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.2",
            ])
        // The session is named by its public handle, the same from its start to its end.
        let handles = records.compactMap(\.session)
        #expect(handles.count == 2 && handles[0] == handles[1])
        #expect(records.last?.reason == "logout")
        #expect(Set(records.compactMap(\.userID)) == [1])
        #expect(!"\(records)".contains(session) && !"\(records)".contains("\"pw\""))
    }
}

/// Keeps every audit record, for tests to read.
final class AuditCollector: AuditSink {
    private let kept = Mutex<[AuditRecord]>([])

    func record(_ record: AuditRecord) {
        kept.withLock { $0.append(record) }
    }

    var records: [AuditRecord] { kept.withLock { $0 } }
}
