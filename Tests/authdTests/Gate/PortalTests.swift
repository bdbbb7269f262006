import Foundation
import Testing

/// The portal's pages against a real authd, as a browser without script uses them: forms posted
/// urlencoded, answers read as HTML.
@Suite struct PortalTests {
    static func portal(_ extra: [String] = []) throws -> (AuthdProcess, Curl) {
        let server = try AuthdProcess(
            arguments: ["--portal-url", "http://127.0.0.1:1", "--cookie-domain", "example.test"] + extra)
        return (server, Curl(folder: try TemporaryFolder(), hosts: [], port: server.port))
    }

    /// The headers every portal answer carries.
    static func expectPortalHeaders(_ answer: CurlAnswer, _ comment: Comment? = nil) {
        // The portal's own policy, beside the frame-ancestors one every answer carries.
        #expect(
            answer.fields.contains {
                $0.name == "content-security-policy" && $0.value == "default-src 'self'; frame-ancestors 'none'"
            }, comment)
        #expect(answer.header("X-Content-Type-Options") == "nosniff", comment)
        #expect(answer.header("Referrer-Policy") == "same-origin", comment)
        #expect(answer.header("Cache-Control") == "no-store", comment)
    }

    @Test func everyPageIsSmallAccessibleHTMLWithTheProtectiveHeaders() throws {
        let (server, curl) = try Self.portal()
        for path in ["/login", "/signup", "/reset", "/reset/confirm?token=t&email=a%40b.c"] {
            let page = try curl.send("GET", server.baseURL + path)
            #expect(page.status == 200, "\(path)")
            #expect(page.header("Content-Type") == "text/html; charset=utf-8", "\(path)")
            Self.expectPortalHeaders(page, "\(path)")
            #expect(page.body.utf8.count < 2048, "\(path)")
            #expect(!page.body.contains("<script"), "\(path)")
            // Each input has a label naming it.
            for id in ["email", "password", "new_password"] where page.body.contains("id=\"\(id)\"") {
                #expect(page.body.contains("<label for=\"\(id)\">"), "\(path) \(id)")
            }
        }
        let login = try curl.send("GET", server.baseURL + "/login")
        #expect(login.body.contains("autocomplete=\"username\""))
        #expect(login.body.contains("autocomplete=\"current-password\""))
        let signup = try curl.send("GET", server.baseURL + "/signup")
        #expect(signup.body.contains("autocomplete=\"new-password\""))
    }

    @Test func valuesAreEscapedWhereverTheyAppear() throws {
        let (server, curl) = try Self.portal()
        let rd = #""><script>alert(1)</script>'&"#
        let page = try curl.send("GET", server.baseURL + "/login?rd=" + HTTPClient.urlencoded(["": rd]).dropFirst())
        #expect(page.body.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#39;&amp;\""))
        #expect(!page.body.contains("<script>"))
        let wrong = try curl.send(
            "POST", server.baseURL + "/login", form: [("email", "<b>x</b>@b.c"), ("password", "pw"), ("rd", rd)])
        #expect(wrong.status == 401)
        #expect(wrong.body.contains("value=\"&lt;b&gt;x&lt;/b&gt;@b.c\""))
        #expect(!wrong.body.contains("<b>x"))
    }

    @Test func signUpLogInSeeTheAccountAndLogOut() throws {
        let (server, curl) = try Self.portal()
        let base = server.baseURL
        let signup = try curl.send("POST", base + "/signup", form: [("email", "a@b.c"), ("password", "pw")])
        #expect(signup.status == 200)
        #expect(signup.body.contains("Account created: log in."))
        let taken = try curl.send("POST", base + "/signup", form: [("email", "A@b.c"), ("password", "pw")])
        #expect(taken.status == 400)
        #expect(taken.body.contains("role=\"alert\" id=\"message\">Email already registered.<"))
        Self.expectPortalHeaders(taken)

        let wrong = try curl.send("POST", base + "/login", form: [("email", "a@b.c"), ("password", "nope")])
        #expect(wrong.status == 401)
        #expect(wrong.body.contains(">Wrong email or password.<"))
        #expect(wrong.body.contains("value=\"a@b.c\""))
        let missing = try curl.send("POST", base + "/login", form: [("email", "a@b.c")])
        #expect(missing.status == 400)
        #expect(missing.body.contains(">Missing field: password.<"))

        // The cookie is for example.test: curl keeps it from 127.0.0.1 to itself, so the test carries it.
        let login = try curl.send("POST", base + "/login", form: [("email", "a@b.c"), ("password", "pw")])
        #expect(login.status == 303)
        #expect(login.header("Location") == "http://127.0.0.1:1/account")
        Self.expectPortalHeaders(login)
        let setCookie = try #require(login.header("Set-Cookie"))
        #expect(setCookie.contains("; Domain=example.test; HttpOnly; SameSite=Lax"))
        let cookie = "Cookie: " + setCookie.prefix { $0 != ";" }

        let account = try curl.send("GET", base + "/account", headers: [cookie])
        #expect(account.status == 200)
        #expect(account.body.contains("<strong id=\"account-email\">a@b.c</strong>"))
        Self.expectPortalHeaders(account)

        let logout = try curl.send("POST", base + "/logout", headers: [cookie])
        #expect(logout.status == 303)
        #expect(logout.header("Location") == "http://127.0.0.1:1/login")
        #expect(logout.header("Set-Cookie")?.contains("Max-Age=0; Domain=example.test;") == true)
        let after = try curl.send("GET", base + "/account", headers: [cookie])
        #expect(after.status == 303)
        #expect(after.header("Location") == "http://127.0.0.1:1/login")
        // The JSON API agrees: the session is gone.
        #expect(try curl.send("GET", base + "/profile", headers: [cookie]).status == 403)
    }

    @Test func aThrottledLoginSaysHowLongToWait() throws {
        let (server, curl) = try Self.portal(["--login-failure-limit", "2", "--throttle-exempt", "none"])
        let base = server.baseURL
        #expect(try curl.send("POST", base + "/signup", form: [("email", "a@b.c"), ("password", "pw")]).status == 200)
        for _ in 0..<2 {
            #expect(
                try curl.send("POST", base + "/login", form: [("email", "a@b.c"), ("password", "x")]).status == 401)
        }
        let throttled = try curl.send("POST", base + "/login", form: [("email", "a@b.c"), ("password", "pw")])
        #expect(throttled.status == 429)
        let wait = try #require(throttled.header("Retry-After"))
        #expect(throttled.body.contains(">Too many attempts; try again in \(wait) seconds.<"))
    }

    @Test func withResetsInTheAnswerTheResetPageSaysMailIsNeededAndGivesNoToken() throws {
        let (server, curl) = try Self.portal()
        let base = server.baseURL
        #expect(try curl.send("POST", base + "/signup", form: [("email", "a@b.c"), ("password", "pw")]).status == 200)
        let page = try curl.send("GET", base + "/reset")
        #expect(page.body.contains("Password resets need mail delivery"))
        #expect(!page.body.contains("<form"))
        let post = try curl.send("POST", base + "/reset", form: [("email", "a@b.c")])
        #expect(post.body.contains("Password resets need mail delivery"))
        #expect(!post.body.contains("-4"))
        // No token was made: the seed's route still gives the first one.
        let json = try curl.send("POST", base + "/reset_password", form: [("email", "a@b.c")])
        #expect(json.status == 200)
    }

    @Test func aResetByMailEndsOnTheConfirmPageAndChangesThePassword() async throws {
        let relayFolder = try TemporaryFolder()
        let relay = try SMTPRelayProcess(folder: relayFolder.url.appendingPathComponent("mail"))
        let (server, curl) = try Self.portal([
            "--reset-delivery", "smtp://127.0.0.1:\(relay.port)",
            "--reset-link", "http://127.0.0.1:1/reset/confirm?token={token}&email={email}",
        ])
        let base = server.baseURL
        #expect(try curl.send("POST", base + "/signup", form: [("email", "a@b.c"), ("password", "old")]).status == 200)
        let asked = try curl.send("POST", base + "/reset", form: [("email", "a@b.c")])
        #expect(asked.status == 200)
        #expect(asked.body.contains("If that address has an account, a reset mail is on its way."))
        let unknown = try curl.send("POST", base + "/reset", form: [("email", "nobody@b.c")])
        // The same page but for the address it repeats: nothing tells whether an account exists.
        #expect(unknown.status == 200)
        #expect(unknown.body.replacingOccurrences(of: "nobody@b.c", with: "a@b.c") == asked.body)
        #expect(await relay.waitForMails(1))
        let mail = try #require(relay.mails.first)
        let link = try #require(
            mail.range(of: #"http://127\.0\.0\.1:1/reset/confirm\?\S+"#, options: .regularExpression))
        let path = String(mail[link].dropFirst("http://127.0.0.1:1".count))
        let page = try curl.send("GET", base + path)
        #expect(page.status == 200)
        #expect(page.body.contains("value=\"a@b.c\""))
        let token = try #require(
            URLComponents(string: "http://x" + path)?.queryItems?.first { $0.name == "token" }?.value)
        let bad = try curl.send(
            "POST", base + "/reset/confirm",
            form: [("email", "a@b.c"), ("reset_token", "nope"), ("new_password", "new")])
        #expect(bad.status == 403)
        #expect(bad.body.contains(">Invalid reset token.<"))
        let done = try curl.send(
            "POST", base + "/reset/confirm",
            form: [("email", "a@b.c"), ("reset_token", token), ("new_password", "new")])
        #expect(done.status == 200)
        #expect(done.body.contains("Password changed: log in."))
        #expect(try curl.send("POST", base + "/login", form: [("email", "a@b.c"), ("password", "new")]).status == 303)
    }
}
