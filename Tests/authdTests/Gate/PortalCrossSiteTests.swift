import Foundation
import Testing

/// The portal's forms posted from another site, as a browser sends them (an `Origin` that is not
/// the portal's, or `Sec-Fetch-Site: cross-site`), with the victim's cookie attached as a browser
/// would for a cookie without SameSite: refused with 403 and nothing changed.
@Suite struct PortalCrossSiteTests {
    private static let crossSite: [[String]] = [
        ["Origin: https://attacker.test", "Sec-Fetch-Site: cross-site"],
        ["Origin: https://attacker.test"],
        ["Origin: null"],
        ["Sec-Fetch-Site: cross-site"],
    ]

    @Test func crossSiteFormPostsToLoginSignupLogoutAndResetAreRefusedAndChangeNothing() throws {
        let (server, curl) = try PortalTests.portal()
        let base = server.baseURL
        let victim = [("email", "victim@b.c"), ("password", "victim-pw")]
        #expect(try curl.send("POST", base + "/signup", form: victim).status == 200)
        let login = try curl.send("POST", base + "/login", form: victim)
        let cookie = try "Cookie: " + #require(login.header("Set-Cookie")).prefix { $0 != ";" }
        let attacker = [("email", "attacker@b.c"), ("password", "attacker-pw")]
        #expect(try curl.send("POST", base + "/signup", form: attacker).status == 200)

        for headers in Self.crossSite {
            // Login CSRF: the victim's browser would be logged in to the attacker's account.
            let logIn = try curl.send("POST", base + "/login", form: attacker, headers: headers)
            #expect(logIn.status == 403, "\(headers)")
            #expect(logIn.header("Set-Cookie") == nil, "\(headers)")
            let signUp = try curl.send(
                "POST", base + "/signup", form: [("email", "csrf@b.c"), ("password", "pw")], headers: headers)
            #expect(signUp.status == 403, "\(headers)")
            let logOut = try curl.send("POST", base + "/logout", headers: headers + [cookie])
            #expect(logOut.status == 403, "\(headers)")
            #expect(logOut.header("Set-Cookie") == nil, "\(headers)")
            let reset = try curl.send("POST", base + "/reset", form: [("email", "victim@b.c")], headers: headers)
            #expect(reset.status == 403, "\(headers)")
            // Still logged in: the account page and the gate's check both accept the session.
            #expect(try curl.send("GET", base + "/account", headers: [cookie]).status == 200, "\(headers)")
            #expect(try curl.send("GET", base + "/verify", headers: [cookie]).status == 200, "\(headers)")
        }
        #expect(
            try curl.send("POST", base + "/login", form: [("email", "csrf@b.c"), ("password", "pw")]).status == 401)

        // The same posts from the portal's own pages go through: the refusal is the headers' doing.
        let own = ["Origin: http://127.0.0.1:\(server.port)", "Sec-Fetch-Site: same-origin"]
        #expect(try curl.send("POST", base + "/login", form: attacker, headers: own).status == 303)
        let logOut = try curl.send("POST", base + "/logout", headers: own + [cookie])
        #expect(logOut.status == 303)
        #expect(try curl.send("GET", base + "/verify", headers: [cookie]).status == 401)
    }
}
