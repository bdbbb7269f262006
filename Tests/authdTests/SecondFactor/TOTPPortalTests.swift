import Foundation
import Testing

/// The second factor's portal pages and the gate's answer to a session waiting for its code,
/// against the real binary: the same headers and cross-site rule as the other portal pages.
@Suite struct TOTPPortalTests {
    init() throws {
        try Prerequisite.require(.pyotp)
    }

    static let portalHeaders = [
        "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'", "Cache-Control": "no-store",
        "Referrer-Policy": "same-origin",
    ]

    @Test func theEnrolmentPageShowsTheQRCodeAndTheSecretWithThePortalsHeaders() async throws {
        let service = try TOTPService()
        let user = try await service.registered("kim@example.com")
        let account = try await service.client.send("GET", "/account", sessionID: user.session)
        let accountPage = String(decoding: account.body, as: UTF8.self)
        #expect(accountPage.contains(#"<form method="post" action="/account/2fa">"#))
        let page = try await service.client.send(
            "POST", "/account/2fa", form: ["password": user.password], sessionID: user.session)
        #expect(page.status == 200)
        for (name, value) in Self.portalHeaders { #expect(page.header(name)?.contains(value) == true, "\(name)") }
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        let secret = try #require(html.firstMatch(of: /id="totp-secret">([A-Z2-7]{32})</)?.1)
        // The secret shown is the one confirmed: its code turns it on and the page lists ten codes.
        let code = try await PyOTP.code(String(secret), at: PyOTP.safeNow(needing: 5))
        let confirmed = try await service.client.send(
            "POST", "/account/2fa/confirm", form: ["code": code], sessionID: user.session)
        #expect(confirmed.status == 200)
        for (name, value) in Self.portalHeaders {
            #expect(confirmed.header(name)?.contains(value) == true, "\(name)")
        }
        let codes = String(decoding: confirmed.body, as: UTF8.self)
        #expect(codes.contains(#"id="recovery-warning""#))
        #expect(codes.components(separatedBy: "<li><code>").count == 11)
        let on = try await service.client.send("GET", "/account", sessionID: user.session)
        #expect(String(decoding: on.body, as: UTF8.self).contains(#"action="/account/2fa/disable""#))
    }

    @Test func aPasswordLoginGoesToTheCodeStepWhichReturnsToTheFirstPage() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("lee@example.com")
        let login = try await service.client.send(
            "POST", "/login", form: user.credentials.merging(["rd": "/next"]) { $1 })
        #expect(login.status == 303)
        #expect(login.header("Location") == "/login/2fa?rd=%2Fnext")
        let waiting = try #require(HTTPClient.sessionID(from: login))
        let page = try await service.client.send("GET", "/login/2fa?rd=%2Fnext", sessionID: waiting)
        #expect(page.status == 200)
        for (name, value) in Self.portalHeaders { #expect(page.header(name)?.contains(value) == true, "\(name)") }
        #expect(try await service.client.send("GET", "/account", sessionID: waiting).header("Location") == "/login/2fa")

        let wrong = try await service.client.send(
            "POST", "/login/2fa", form: ["code": "12345x", "rd": "/next"], sessionID: waiting)
        #expect(wrong.status == 401)
        #expect(String(decoding: wrong.body, as: UTF8.self).contains("Wrong code."))
        let code = try await user.laterCode()
        let raised = try await service.client.send(
            "POST", "/login/2fa", form: ["code": code, "rd": "/next"], sessionID: waiting)
        #expect(raised.status == 303)
        let session = try #require(HTTPClient.sessionID(from: raised))
        #expect(session != waiting)
        #expect(try await service.client.send("GET", "/profile", sessionID: session).status == 200)
    }

    @Test func theGateSendsAWaitingSessionToTheCodeStepWith403() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("max@example.com")
        let waiting = try await service.login(user)
        let check = try await service.client.send("GET", "/verify", sessionID: waiting)
        #expect(check.status == 403)
        #expect(check.json == ["message": "second factor required"])
        #expect(check.header("Location") == "/login/2fa")
        let browser = try await service.client.send(
            "GET", "/verify/redirect", sessionID: waiting, headers: ["Accept": "text/html"])
        #expect(browser.status == 302)
        #expect(browser.header("Location") == "/login/2fa")
    }

    @Test func theSecondFactorsFormsRefuseCrossSitePosts() async throws {
        let service = try TOTPService()
        let user = try await service.registered("ned@example.com")
        for path in ["/account/2fa", "/account/2fa/confirm", "/account/2fa/disable", "/login/2fa"] {
            let refused = try await service.client.send(
                "POST", path, form: ["password": user.password, "code": "123456"], sessionID: user.session,
                headers: ["Sec-Fetch-Site": "cross-site"])
            #expect(refused.status == 403, "\(path)")
            #expect(refused.json == ["message": "cross-site request refused"], "\(path)")
        }
    }
}
