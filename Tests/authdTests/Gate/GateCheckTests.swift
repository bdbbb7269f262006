import Foundation
import Testing

/// `/verify` and `/verify/redirect` straight against a real authd, as a proxy would ask them.
@Suite struct GateCheckTests {
    static let portal = "http://auth.example.test:8080"

    /// authd trusting loopback as its proxy, the portal at `portal`, one user logged in with curl's jar.
    static func loggedIn(_ extra: [String] = []) throws -> (AuthdProcess, Curl, base: String) {
        let server = try AuthdProcess(arguments: ["--trusted-proxy", "127.0.0.1", "--portal-url", portal] + extra)
        let folder = try TemporaryFolder()
        let curl = Curl(folder: folder, hosts: [], port: server.port)
        let base = server.baseURL
        #expect(try curl.send("POST", base + "/users", form: [("email", "a@b.c"), ("password", "pw")]).status == 200)
        #expect(
            try curl.send("POST", base + "/sessions", form: [("email", "a@b.c"), ("password", "pw")]).status == 200)
        return (server, curl, base)
    }

    @Test func aSessionIsLetThroughWithItsIdentityWhateverTheMethod() throws {
        let (server, curl, base) = try Self.loggedIn()
        _ = server
        for method in ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let answer = try curl.send(method, base + "/verify")
            #expect(answer.status == 200, "\(method)")
            #expect(answer.header("Remote-User") == "1", "\(method)")
            #expect(answer.header("Remote-Email") == "a@b.c", "\(method)")
            #expect(answer.header("X-Auth-Request-User") == "1", "\(method)")
            #expect(answer.header("X-Auth-Request-Email") == "a@b.c", "\(method)")
            #expect(answer.header("Cache-Control") == "no-store", "\(method)")
            #expect(answer.body.isEmpty, "\(method)")
        }
        let redirecting = try curl.send("GET", base + "/verify/redirect", headers: ["Accept: text/html"])
        #expect(redirecting.status == 200)
        #expect(redirecting.header("Remote-Email") == "a@b.c")
    }

    @Test func withoutASessionTheCheckNamesTheLoginPageWithTheOriginalURL() throws {
        let server = try AuthdProcess(arguments: ["--trusted-proxy", "127.0.0.1", "--portal-url", Self.portal])
        let curl = Curl(folder: try TemporaryFolder(), hosts: [], port: server.port)
        let original = "https://app.example.test/a b?x=1&y=%2F#top"
        for method in ["GET", "HEAD", "POST"] {
            let answer = try curl.send(method, server.baseURL + "/verify", headers: ["X-Original-URL: \(original)"])
            #expect(answer.status == 401, "\(method)")
            #expect(answer.header("Remote-User") == nil)
            #expect(
                answer.header("Location")
                    == Self.portal + "/login?rd=https%3A%2F%2Fapp.example.test%2Fa%20b%3Fx%3D1%26y%3D%252F%23top",
                "\(method)")
        }
        // An unknown session is no session.
        let unknown = try curl.send(
            "GET", server.baseURL + "/verify", headers: ["Cookie: session_id=00000000-0000-4000-8000-000000000000"])
        #expect(unknown.status == 401)
    }

    @Test func theRedirectingCheckSendsABrowserToTheLoginAndTellsOthers401() throws {
        let server = try AuthdProcess(arguments: ["--trusted-proxy", "127.0.0.1", "--portal-url", Self.portal])
        let curl = Curl(folder: try TemporaryFolder(), hosts: [], port: server.port)
        let forwarded = [
            "X-Forwarded-Proto: https", "X-Forwarded-Host: app.example.test", "X-Forwarded-Uri: /private?q=1",
        ]
        let location = Self.portal + "/login?rd=https%3A%2F%2Fapp.example.test%2Fprivate%3Fq%3D1"
        let browser = "Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
        let get = try curl.send("GET", server.baseURL + "/verify/redirect", headers: forwarded + [browser])
        #expect(get.status == 302)
        #expect(get.header("Location") == location)
        let head = try curl.send(
            "GET", server.baseURL + "/verify/redirect", headers: forwarded + [browser, "X-Forwarded-Method: HEAD"])
        #expect(head.status == 302)
        // Caddy asks with GET whatever the browser sent: the original method decides.
        let post = try curl.send(
            "GET", server.baseURL + "/verify/redirect", headers: forwarded + [browser, "X-Forwarded-Method: POST"])
        #expect(post.status == 303)
        #expect(post.header("Location") == location)
        let api = try curl.send(
            "GET", server.baseURL + "/verify/redirect", headers: forwarded + ["Accept: application/json"])
        #expect(api.status == 401)
        let none = try curl.send("GET", server.baseURL + "/verify/redirect", headers: forwarded)
        #expect(none.status == 401)
    }

    @Test func forwardedFieldsFromAPeerThatIsNotATrustedProxyAreIgnored() throws {
        let server = try AuthdProcess(arguments: ["--portal-url", Self.portal])
        let curl = Curl(folder: try TemporaryFolder(), hosts: [], port: server.port)
        let answer = try curl.send("GET", server.baseURL + "/verify", headers: ["X-Original-URL: https://evil.test/"])
        #expect(answer.status == 401)
        #expect(answer.header("Location") == Self.portal + "/login")
        let redirect = try curl.send(
            "GET", server.baseURL + "/verify/redirect",
            headers: [
                "Accept: text/html", "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.test", "X-Forwarded-Uri: /",
                "X-Forwarded-Method: POST",
            ])
        #expect(redirect.status == 302)
        #expect(redirect.header("Location") == Self.portal + "/login")
    }

    @Test func withoutAPortalURLTheLoginLinkIsRelative() throws {
        let server = try AuthdProcess(arguments: ["--trusted-proxy", "127.0.0.1"])
        let curl = Curl(folder: try TemporaryFolder(), hosts: [], port: server.port)
        let answer = try curl.send("GET", server.baseURL + "/verify", headers: ["X-Original-URL: http://x.test/"])
        #expect(answer.header("Location") == "/login?rd=http%3A%2F%2Fx.test%2F")
    }

    @Test func theCookieCarriesTheCookieDomainAndLogoutClearsTheSameCookie() throws {
        // curl keeps a cookie for example.test from 127.0.0.1 to itself: only the fields are read here.
        let (server, curl, base) = try Self.loggedIn(["--cookie-domain", ".Example.TEST"])
        _ = server
        let login = try curl.send("POST", base + "/sessions", form: [("email", "a@b.c"), ("password", "pw")])
        #expect(login.header("Set-Cookie")?.contains("; Domain=example.test; HttpOnly; SameSite=Lax") == true)
        let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first)
        let logout = try curl.send("DELETE", base + "/sessions", headers: ["Cookie: \(cookie)"])
        #expect(logout.status == 302)
        #expect(logout.header("Set-Cookie")?.contains("Max-Age=0; Domain=example.test;") == true)
    }

    @Test func checksWriteNothingToTheDatabase() throws {
        let (server, curl, base) = try Self.loggedIn()
        // Every commit in WAL mode appends to the -wal file; checks must leave it as it is.
        let wal = server.databasePath + "-wal"
        let before = try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int
        for _ in 0..<50 { #expect(try curl.send("GET", base + "/verify").status == 200) }
        let after = try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int
        #expect(before != nil)
        #expect(before == after)
    }
}
