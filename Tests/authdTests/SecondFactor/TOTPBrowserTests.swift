import Foundation
import Testing

/// The second factor in a real browser: headless Chromium driven by selenium
/// (`Resources/browser_totp_flow.py`, with pyotp as the authenticator app) through nginx configured
/// as `docs/gate/nginx.conf` says: enrolment on the account page, then a login through the code step
/// to the application.
@Suite struct TOTPBrowserTests {
    @Test(.timeLimit(.minutes(3)))
    func enrolOnTheAccountPageThenLogInThroughTheCodeStepToTheApplication() throws {
        try Prerequisite.require(.pyotp, .nginx)
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "chromium-driver is not installed")
        let keys = try TemporaryFolder()
        let key = keys.url.appendingPathComponent("authd.key")
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: key)
        let proxyPort = try freePort()
        let setup = try GateProxyTests.setup(proxyPort: proxyPort, arguments: ["--secret-key-file", key.path])
        let nginx = try NginxProcess(port: proxyPort) { port in
            try GateSnippet.configured(
                "nginx.conf", authd: setup.server.port, upstream: setup.upstream.port, proxy: port)
        }
        _ = nginx
        let script = Bundle.module.url(
            forResource: "browser_totp_flow", withExtension: "py", subdirectory: "Resources")!
        let folder = BrowserTests.screenshotFolder()
        let (status, output) = try run("/usr/bin/env", ["python3", script.path, String(proxyPort), folder.path])
        #expect(
            status == 0,
            "the browser flow failed (screenshots in \(folder.path)):\n\(output)\nauthd:\n\(setup.server.log)")
        if status == 0 { try? FileManager.default.removeItem(at: folder) }
        #expect(setup.server.log.contains(#""audit":"2fa_enabled""#))
    }
}
