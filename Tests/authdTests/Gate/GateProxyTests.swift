import Foundation
import Testing

/// The gate behind real proxies on loopback, configured with the snippets `docs/gate.md` shows
/// (`docs/gate/`): nginx `auth_request` and Caddy `forward_auth` in front of an application of the
/// test's own that echoes what it receives.
@Suite struct GateProxyTests {
    /// authd behind `port`'s proxy: trusts it, its portal at auth.example.test, the cookie for example.test.
    static func authd(proxyPort: Int, arguments: [String] = []) throws -> AuthdProcess {
        try AuthdProcess(
            arguments: [
                "--trusted-proxy", "127.0.0.1", "--portal-url", "http://auth.example.test:\(proxyPort)",
                "--cookie-domain", "example.test", "--sessions-per-user", "5",
            ] + arguments)
    }

    /// The proxy's port, reserved before authd starts so authd's portal URL can name it.
    struct Setup {
        let server: AuthdProcess
        let upstream: EchoUpstream
        let curl: Curl
        let folder: TemporaryFolder
        let app: String
        let portal: String
    }

    static func setup(proxyPort: Int, arguments: [String] = []) throws -> Setup {
        let folder = try TemporaryFolder()
        return Setup(
            server: try authd(proxyPort: proxyPort, arguments: arguments), upstream: try EchoUpstream(),
            curl: Curl(folder: folder, hosts: ["app.example.test", "auth.example.test"], port: proxyPort),
            folder: folder, app: "http://app.example.test:\(proxyPort)",
            portal: "http://auth.example.test:\(proxyPort)")
    }

    /// The flow both proxies must carry: no session ends at the login page with this URL as `rd`;
    /// a login on the portal lets the user through with the identity authd vouches for, and a
    /// client's own `Remote-*` fields never reach the application; a logout protects it again.
    static func protects(_ setup: Setup, loginStatus: Int, headers: [String] = []) throws {
        let curl = setup.curl
        let refused = try curl.send("GET", setup.app + "/private/page?x=1", headers: headers)
        #expect(refused.status == loginStatus)
        let rd = "http%3A%2F%2Fapp.example.test%3A\(setup.portal.split(separator: ":").last!)%2Fprivate%2Fpage%3Fx%3D1"
        #expect(refused.header("Location") == setup.portal + "/login?rd=" + rd)
        #expect(!refused.body.contains("\"path\""), "the application answered: \(refused.body)")

        // The portal's forms: sign up, then log in from the page the check sent the browser to.
        let signup = try curl.send("POST", setup.portal + "/signup", form: [("email", "u@b.c"), ("password", "pw")])
        #expect(signup.status == 200)
        let page = try curl.send("GET", try #require(refused.header("Location")))
        #expect(page.status == 200)
        let original = setup.app + "/private/page?x=1"
        #expect(page.body.contains("name=\"rd\" value=\"\(original)\""))
        let login = try curl.send(
            "POST", setup.portal + "/login", form: [("email", "u@b.c"), ("password", "pw"), ("rd", original)])
        #expect(login.status == 303)
        #expect(login.header("Location") == original)

        let spoofed = ["Remote-Email: boss@b.c", "Remote-User: 99", "X-Original-URL: https://evil.test/"]
        // A form the application posts to itself, as a browser sends it: the check changes nothing,
        // so no cross-site rule may refuse it (its Host is the proxy's upstream, not the page's).
        let ownForm = ["Origin: \(setup.app)", "Sec-Fetch-Site: same-origin"]
        for (method, extra) in [("GET", []), ("POST", []), ("POST", ownForm)] {
            let through = try curl.send(method, setup.app + "/private/page?x=1", headers: headers + spoofed + extra)
            #expect(through.status == 200, "\(method): \(through.body)")
            let seen = through.json["headers"] as? [String: [String]] ?? [:]
            #expect(seen["remote-email"] == ["u@b.c"], "\(method)")
            #expect(seen["remote-user"] == ["1"], "\(method)")
            #expect(through.json["path"] as? String == "/private/page?x=1")
        }

        let logout = try curl.send("POST", setup.portal + "/logout")
        #expect(logout.status == 303)
        #expect(logout.header("Location") == setup.portal + "/login")
        let again = try curl.send("GET", setup.app + "/private/page?x=1", headers: headers)
        #expect(again.status == loginStatus)
        #expect(!again.body.contains("\"path\""))
    }

    @Test func nginxAuthRequestProtectsAnApplication() throws {
        let proxyPort = try freePort()
        let setup = try Self.setup(proxyPort: proxyPort)
        let nginx = try NginxProcess(port: proxyPort) { port in
            try GateSnippet.configured(
                "nginx.conf", authd: setup.server.port, upstream: setup.upstream.port, proxy: port)
        }
        _ = nginx
        try Self.protects(setup, loginStatus: 302)
    }

    @Test func caddyForwardAuthProtectsAnApplication() throws {
        let proxyPort = try freePort()
        let setup = try Self.setup(proxyPort: proxyPort)
        let caddy = try CaddyProcess(port: proxyPort) {
            try GateSnippet.configured(
                "Caddyfile", authd: setup.server.port, upstream: setup.upstream.port, proxy: proxyPort)
        }
        _ = caddy
        // A browser is sent to the login page; a client that does not ask for HTML is told 401.
        try Self.protects(setup, loginStatus: 302, headers: ["Accept: text/html"])
        let api = try setup.curl.send("GET", setup.app + "/private/page?x=1", headers: ["Accept: application/json"])
        #expect(api.status == 401)
        let form = try setup.curl.send("POST", setup.app + "/private/page?x=1", headers: ["Accept: text/html"])
        #expect(form.status == 303)
    }

    @Test func aLoginNeverFollowsAnRdToAForeignHostOrAnotherScheme() throws {
        let proxyPort = try freePort()
        let setup = try Self.setup(proxyPort: proxyPort)
        let nginx = try NginxProcess(port: proxyPort) { port in
            try GateSnippet.configured(
                "nginx.conf", authd: setup.server.port, upstream: setup.upstream.port, proxy: port)
        }
        _ = nginx
        let curl = setup.curl
        let signup = try curl.send("POST", setup.portal + "/signup", form: [("email", "u@b.c"), ("password", "pw")])
        #expect(signup.status == 200)
        for rd in [
            "javascript:alert(document.cookie)", "https://evil.test/", "//evil.test/", "http://evil.test/",
            "http://app.example.test.evil.test/", "http://app.example.test@evil.test/", #"http:\\evil.test/"#,
            #"/\evil.test"#, #"http://evil.test\@app.example.test/"#, "data:text/html,<script>alert(1)</script>",
        ] {
            let login = try curl.send(
                "POST", setup.portal + "/login", form: [("email", "u@b.c"), ("password", "pw"), ("rd", rd)])
            #expect(login.status == 303, "\(rd)")
            #expect(login.header("Location") == setup.portal + "/account", "\(rd)")
        }
    }

    @Test func theDocsShowTheSnippetsTheTestsUseWordForWord() throws {
        let doc = try String(contentsOf: GateSnippet.folder.appendingPathComponent("gate.md"), encoding: .utf8)
        for name in ["nginx.conf", "Caddyfile"] {
            #expect(doc.contains(try GateSnippet.text(name)), "docs/gate.md does not show docs/gate/\(name) as it is")
        }
    }
}
