import Foundation
import Testing

/// systemd integration without a running systemd: unit files, sd_notify, socket activation.
@Suite struct SystemdTests {
    static let contrib = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("contrib")

    init() throws {
        try Prerequisite.require(.systemdAnalyze, .systemdSocketActivate)
    }

    @Test func unitFilesPassSystemdAnalyzeVerify() throws {
        let folder = try TemporaryFolder()
        let service = try String(contentsOf: Self.contrib.appendingPathComponent("authd.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/authd", with: AuthdProcess.binary.path)
        try service.write(to: folder.url.appendingPathComponent("authd.service"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: Self.contrib.appendingPathComponent("authd.socket"),
            to: folder.url.appendingPathComponent("authd.socket"))
        let result = try run(
            "/usr/bin/systemd-analyze",
            [
                "verify",
                folder.url.appendingPathComponent("authd.service").path,
                folder.url.appendingPathComponent("authd.socket").path,
            ])
        #expect(result.status == 0, "systemd-analyze said: \(result.output)")
        #expect(service.contains("Type=notify"))
        #expect(service.contains("DynamicUser=yes"))
    }

    @Test func theTemplateUnitPassesSystemdAnalyzeVerifyForTwoInstances() throws {
        let folder = try TemporaryFolder()
        let template = try String(contentsOf: Self.contrib.appendingPathComponent("authd@.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/authd", with: AuthdProcess.binary.path)
        try template.write(to: folder.url.appendingPathComponent("authd@.service"), atomically: true, encoding: .utf8)
        // Instances are verified through the template file beside them, as systemd loads them.
        let result = try run(
            "/usr/bin/systemd-analyze",
            ["verify"] + ["authd@1.service", "authd@2.service"].map { folder.url.appendingPathComponent($0).path })
        #expect(result.status == 0, "systemd-analyze said: \(result.output)")
        // Not even a warning (an unknown key or a bad value is one, with status 0).
        #expect(result.output.isEmpty, "systemd-analyze said: \(result.output)")
        // Each instance its own settings (its port), and no state directory two instances would share.
        #expect(template.contains("EnvironmentFile=/etc/authd/%i.env"))
        #expect(template.contains("Type=notify"))
        #expect(!template.contains("StateDirectory="))
    }

    @Test func notifySocketGetsReadyWatchdogAndStopping() throws {
        let folder = try TemporaryFolder()
        let listener = try NotifyListener(path: folder.url.appendingPathComponent("notify").path)
        let server = try AuthdProcess(environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "200000"])
        let ready = listener.receive(until: { $0.contains("READY=1") })
        #expect(ready.contains { $0.contains("READY=1") && $0.contains("STATUS=") })
        let pings = listener.receive(until: { $0 == "WATCHDOG=1" })
        #expect(pings.contains("WATCHDOG=1"))
        #expect(server.stop() == 0)
        let stopping = listener.receive(until: { $0.contains("STOPPING=1") })
        #expect(stopping.contains { $0.contains("STOPPING=1") })
    }

    @Test func socketActivationServesOnTheInheritedSocket() throws {
        let folder = try TemporaryFolder()
        let port = try freePort()
        let activator = Process()
        activator.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        activator.arguments = [
            "-l", "127.0.0.1:\(port)", AuthdProcess.binary.path,
            "--database", folder.url.appendingPathComponent("a.db").path, "--bcrypt-cost", "4",
        ]
        activator.standardError = FileHandle.nullDevice
        try activator.run()
        defer {
            if activator.isRunning { kill(activator.processIdentifier, SIGKILL) }
            activator.waitUntilExit()
        }
        // systemd-socket-activate binds first, then hands the socket to authd on the first connection.
        // A blocking client on this thread: the test must not wait on the shared task pool here.
        var answer: RawResponse?
        for _ in 0..<100 where answer == nil {
            if let client = try? RawClient(port: port) {
                try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = try client.readResponse()
            } else {
                usleep(50_000)
            }
        }
        #expect(answer?.status == 200)
        #expect(answer?.json == ["message": "Bienvenue"])
        kill(activator.processIdentifier, SIGTERM)
        let limit = Date().addingTimeInterval(15)
        while activator.isRunning && Date() < limit { usleep(10_000) }
        #expect(!activator.isRunning)
        #expect(activator.terminationStatus == 0)
    }
}
