import Foundation
import Testing

/// Writes from another site (issue 21, M6: login CSRF) and ambiguous session cookies (L3), against
/// the real binary over real sockets.
@Suite struct CrossSiteTests {
    private static let refused = ["message": "cross-site request refused"]

    /// What a browser adds to a form post from a page on another site, one header or the other.
    private static let crossSiteHeaders: [[String: String]] = [
        ["Sec-Fetch-Site": "cross-site"],
        ["Origin": "https://evil.example"],
        ["Origin": "null"],
        ["Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"],
    ]

    @Test func crossSiteWritesAreRefusedBeforeAnyWork() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        let account = ["email": "victim@example.com", "password": "victim-pw"]
        #expect(try await client.send("POST", "/users", form: account).status == 200)
        let login = try await client.send("POST", "/sessions", form: account)
        let session = try #require(HTTPClient.sessionID(from: login))
        let token = try #require(
            try await client.send("POST", "/reset_password", form: ["email": account["email"]!]).json["reset_token"])

        for headers in Self.crossSiteHeaders {
            let signUp = try await client.send(
                "POST", "/users", form: ["email": "csrf@example.com", "password": "pw"], headers: headers)
            #expect(signUp.status == 403, "\(headers)")
            #expect(signUp.json == Self.refused, "\(headers)")

            // The attacker's own account would be logged in: no session, no cookie.
            let attack = try await client.send("POST", "/sessions", form: account, headers: headers)
            #expect(attack.status == 403, "\(headers)")
            #expect(attack.json == Self.refused, "\(headers)")
            #expect(attack.header("Set-Cookie") == nil, "\(headers)")

            let resetRequest = try await client.send(
                "POST", "/reset_password", form: ["email": account["email"]!], headers: headers)
            #expect(resetRequest.status == 403, "\(headers)")
            #expect(resetRequest.json == Self.refused, "\(headers)")

            let update = try await client.send(
                "PUT", "/reset_password",
                form: ["email": account["email"]!, "reset_token": token, "new_password": "attacker-pw"],
                headers: headers)
            #expect(update.status == 403, "\(headers)")
            #expect(update.json == Self.refused, "\(headers)")

            let logout = try await client.send("DELETE", "/sessions", sessionID: session, headers: headers)
            #expect(logout.status == 403, "\(headers)")
            #expect(logout.json == Self.refused, "\(headers)")
            #expect(logout.header("Set-Cookie") == nil, "\(headers)")
        }
        // Nothing of it happened: no account made, the session still works (the login's earlier
        // session was neither replaced nor ended), the reset token is still the one issued.
        #expect(try await client.send("GET", "/profile", sessionID: session).status == 200)
        let after = try await client.send(
            "PUT", "/reset_password",
            form: ["email": account["email"]!, "reset_token": token, "new_password": "new-pw"])
        #expect(after.status == 200)
        #expect(
            try await client.send("POST", "/sessions", form: ["email": "csrf@example.com", "password": "pw"]).status
                == 401)
        #expect(server.stop() == 0)
    }

    @Test func sameSiteAllowedOriginsAndPlainClientsAreUnchanged() async throws {
        let server = try AuthdProcess(arguments: ["--allowed-origin", "https://app.example.com"])
        let client = HTTPClient(base: server.baseURL)
        let own = "http://127.0.0.1:\(server.port)"
        // A form on authd's own pages, a front end listed by --allowed-origin (cross-site to the
        // browser), and clients that send neither header (URLSession here, curl and requests below).
        let accepted: [[String: String]] = [
            ["Origin": own, "Sec-Fetch-Site": "same-origin"],
            ["Origin": "https://APP.example.com", "Sec-Fetch-Site": "cross-site"],
            ["Sec-Fetch-Site": "same-site"],
            ["Sec-Fetch-Site": "none"],
            [:],
        ]
        for (index, headers) in accepted.enumerated() {
            let account = ["email": "user\(index)@example.com", "password": "pw-\(index)"]
            let signUp = try await client.send("POST", "/users", form: account, headers: headers)
            #expect(signUp.status == 200, "\(headers)")
            let login = try await client.send("POST", "/sessions", form: account, headers: headers)
            #expect(login.status == 200, "\(headers)")
            let session = try #require(HTTPClient.sessionID(from: login))
            let logout = try await client.send("DELETE", "/sessions", sessionID: session, headers: headers)
            #expect(logout.status == 302, "\(headers)")
        }
        // Another site that is not listed is still refused.
        let other = try await client.send(
            "POST", "/users", form: ["email": "x@example.com", "password": "pw"],
            headers: ["Origin": "https://other.example.com", "Sec-Fetch-Site": "cross-site"])
        #expect(other.status == 403)

        let curl = try run(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-d", "email=curl@example.com&password=pw", "\(own)/users"])
        #expect(curl.output == "200")
        let script = """
            import requests, sys
            base = sys.argv[1]
            r = requests.post(base + "/users", data={"email": "py@example.com", "password": "pw"})
            s = requests.post(base + "/sessions", data={"email": "py@example.com", "password": "pw"})
            d = requests.delete(base + "/sessions", cookies=s.cookies)
            print(r.status_code, s.status_code, d.status_code, d.json()["message"])
            """
        let python = try run("/usr/bin/env", ["python3", "-c", script, own])
        #expect(python.output == "200 200 200 Bienvenue\n", "\(python.output)")
        #expect(server.stop() == 0)
    }

    @Test func twoDifferentSessionCookiesAreRefusedOnEveryRouteThatReadsIt() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        var sessions: [String] = []
        for name in ["victim", "attacker"] {
            let account = ["email": "\(name)@example.com", "password": "\(name)-pw"]
            #expect(try await client.send("POST", "/users", form: account).status == 200)
            sessions.append(
                try #require(HTTPClient.sessionID(from: try await client.send("POST", "/sessions", form: account))))
        }
        let (victim, attacker) = (sessions[0], sessions[1])
        let ambiguous = ["message": "several different session_id cookies; clear this site's cookies and log in again"]

        // The attacker's cookie first (a more specific path or a sibling domain sorts it so), in
        // one Cookie header or split over two as a proxy may pass them.
        for cookies in [
            ["session_id=\(attacker); session_id=\(victim)"], ["session_id=\(attacker)", "session_id=\(victim)"],
        ] {
            for (method, path) in [("GET", "/profile"), ("DELETE", "/sessions")] {
                let raw = try RawClient(port: server.port)
                let fields = cookies.map { "Cookie: \($0)\r\n" }.joined()
                try raw.send("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(fields)Content-Length: 0\r\n\r\n")
                let answer = try #require(try raw.readResponse())
                #expect(answer.status == 400, "\(method) \(path) \(cookies)")
                #expect(answer.json == ambiguous, "\(method) \(path) \(cookies)")
            }
        }
        // Neither session was ended by the refused logouts.
        #expect(try await client.send("GET", "/profile", sessionID: victim).json["email"] == "victim@example.com")
        #expect(try await client.send("GET", "/profile", sessionID: attacker).json["email"] == "attacker@example.com")

        // The same value twice is no ambiguity.
        let raw = try RawClient(port: server.port)
        try raw.send(
            "GET /profile HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: session_id=\(victim); theme=dark; session_id=\(victim)\r\nCookie: session_id=\(victim)\r\n\r\n"
        )
        let same = try #require(try raw.readResponse())
        #expect(same.status == 200)
        #expect(same.json["email"] == "victim@example.com")
        #expect(server.stop() == 0)
    }
}
