import Foundation
import Testing

/// The portal and the gate in a real browser: headless Chromium driven by selenium
/// (`Resources/browser_flow.py`) through nginx, configured as `docs/gate/nginx.conf` says.
@Suite struct BrowserTests {
    /// Where a failing step's screenshot and HTML are kept: `.build/browser-screenshots/<run>/`.
    static func screenshotFolder() -> URL {
        GateSnippet.folder.deletingLastPathComponent().appendingPathComponent(".build/browser-screenshots")
            .appendingPathComponent(String(UUID().uuidString.prefix(8)))
    }

    @Test(.timeLimit(.minutes(3)))
    func signUpLogInReachTheApplicationSeeTheAccountAndLogOut() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "chromium-driver is not installed")
        let proxyPort = try freePort()
        let setup = try GateProxyTests.setup(proxyPort: proxyPort)
        let nginx = try NginxProcess(port: proxyPort) { port in
            try GateSnippet.configured(
                "nginx.conf", authd: setup.server.port, upstream: setup.upstream.port, proxy: port)
        }
        _ = nginx
        let script = Bundle.module.url(forResource: "browser_flow", withExtension: "py", subdirectory: "Resources")!
        let folder = Self.screenshotFolder()
        let (status, output) = try run("/usr/bin/env", ["python3", script.path, String(proxyPort), folder.path])
        #expect(
            status == 0,
            "the browser flow failed (screenshots in \(folder.path)):\n\(output)\nauthd:\n\(setup.server.log)")
        if status == 0 { try? FileManager.default.removeItem(at: folder) }
    }
}
