import Foundation
import Testing

/// The account page's sessions (issue 23 on issue 22's sessions per device): listed with their
/// times, address and browser, each other one revoked by a form, and every one ended by "log out
/// everywhere"; the gate's check agrees at once.
@Suite struct PortalSessionsTests {
    /// The `Cookie:` header of a login made with `agent` as its browser.
    static func logIn(_ curl: Curl, _ base: String, agent: String) throws -> String {
        let login = try curl.send(
            "POST", base + "/login", form: [("email", "a@b.c"), ("password", "pw")], headers: ["User-Agent: " + agent])
        #expect(login.status == 303)
        return try "Cookie: " + #require(login.header("Set-Cookie")).prefix { $0 != ";" }
    }

    /// The handle of the row whose browser is `agent` on an account page.
    static func handle(of agent: String, in page: String) -> String? {
        let rows = page.components(separatedBy: "<tr id=\"session-").dropFirst()
        return rows.first { $0.contains("<td>" + agent + "</td>") }.map { String($0.prefix(16)) }
    }

    @Test func theAccountListsTheSessionsRevokesOneAndLogsOutEverywhere() throws {
        let (server, curl) = try PortalTests.portal(["--sessions-per-user", "5"])
        let base = server.baseURL
        #expect(try curl.send("POST", base + "/signup", form: [("email", "a@b.c"), ("password", "pw")]).status == 200)
        let first = try Self.logIn(curl, base, agent: "first-browser/1.0")
        let second = try Self.logIn(curl, base, agent: "second-client <b>/2.0")

        let page = try curl.send("GET", base + "/account", headers: [first])
        #expect(page.status == 200)
        PortalTests.expectPortalHeaders(page)
        #expect(page.body.components(separatedBy: "<tr id=\"session-").count == 3)
        #expect(page.body.contains("<td>127.0.0.1</td>"))
        // The browser's own name, escaped as every value is.
        #expect(page.body.contains("<td>second-client &lt;b&gt;/2.0</td>"))
        #expect(!page.body.contains("<b>"))
        let ownRow = try #require(
            page.body.components(separatedBy: "<tr id=\"session-").first { $0.contains("first-browser/1.0") })
        #expect(ownRow.contains("This session"))
        #expect(!ownRow.contains("action=\"/account/revoke\""))
        #expect(
            page.body.range(of: #"<td>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z</td>"#, options: .regularExpression) != nil
        )
        #expect(page.body.contains("id=\"logout-everywhere\""))
        let other = try #require(Self.handle(of: "second-client &lt;b&gt;/2.0", in: page.body))

        // Another site's revoke is refused and changes nothing.
        let forged = try curl.send(
            "POST", base + "/account/revoke", form: [("session", other)],
            headers: [first, "Origin: https://attacker.test", "Sec-Fetch-Site: cross-site"])
        #expect(forged.status == 403)
        #expect(try curl.send("GET", base + "/verify", headers: [second]).status == 200)

        let revoked = try curl.send("POST", base + "/account/revoke", form: [("session", other)], headers: [first])
        #expect(revoked.status == 303)
        #expect(revoked.header("Location") == "http://127.0.0.1:1/account")
        #expect(try curl.send("GET", base + "/verify", headers: [second]).status == 401)
        #expect(try curl.send("GET", base + "/verify", headers: [first]).status == 200)
        let after = try curl.send("GET", base + "/account", headers: [first])
        #expect(after.body.components(separatedBy: "<tr id=\"session-").count == 2)
        // Gone, or never the user's: the same 404, whoever holds it.
        let again = try curl.send("POST", base + "/account/revoke", form: [("session", other)], headers: [first])
        #expect(again.status == 404)
        #expect(again.body.contains(">No such session.<"))

        let third = try Self.logIn(curl, base, agent: "third")
        let everywhere = try curl.send("POST", base + "/logout/everywhere", headers: [first])
        #expect(everywhere.status == 303)
        #expect(everywhere.header("Location") == "http://127.0.0.1:1/login")
        #expect(everywhere.header("Set-Cookie")?.contains("Max-Age=0") == true)
        for cookie in [first, third] {
            #expect(try curl.send("GET", base + "/verify", headers: [cookie]).status == 401)
        }
    }

    /// Without a session every revoke gets the login page, whatever it names: a malformed handle
    /// is not told apart from a well-formed one (as the domain checks the session first). With a
    /// session, a malformed handle is the same 404 as one that is not the user's.
    @Test func withoutASessionEveryRevokeGoesToTheLogin() throws {
        let (server, curl) = try PortalTests.portal()
        let base = server.baseURL
        #expect(try curl.send("POST", base + "/signup", form: [("email", "a@b.c"), ("password", "pw")]).status == 200)
        let ended = try Self.logIn(curl, base, agent: "ended")
        #expect(try curl.send("POST", base + "/logout", headers: [ended]).status == 303)
        let login = "http://127.0.0.1:1/login"
        for cookie in [[], [ended], ["Cookie: session_id=not-a-session"]] {
            for handle in ["0123456789abcdef", "not-a-handle", "0123456789ABCDEFG"] {
                let revoke = try curl.send(
                    "POST", base + "/account/revoke", form: [("session", handle)], headers: cookie)
                #expect(revoke.status == 303, "\(cookie) \(handle)")
                #expect(revoke.header("Location") == login, "\(cookie) \(handle)")
            }
        }

        let live = try Self.logIn(curl, base, agent: "live")
        for handle in ["0123456789abcdef", "not-a-handle"] {
            let revoke = try curl.send("POST", base + "/account/revoke", form: [("session", handle)], headers: [live])
            #expect(revoke.status == 404, "\(handle)")
            #expect(revoke.body.contains(">No such session.<"), "\(handle)")
        }
        #expect(try curl.send("POST", base + "/account/revoke", form: [("other", "x")], headers: [live]).status == 400)
        #expect(try curl.send("GET", base + "/verify", headers: [live]).status == 200)
    }
}
