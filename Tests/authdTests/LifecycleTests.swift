import Foundation
import Testing

/// Start, stop, restart and bad configuration of the real binary.
@Suite struct LifecycleTests {
    @Test func dataSurvivesARestartAndSigtermExitsZero() async throws {
        let first = try AuthdProcess()
        let client = HTTPClient(base: first.baseURL)
        #expect(try await client.send("POST", "/users", form: ["email": "keep@b.c", "password": "pw"]).status == 200)
        #expect(first.stop() == 0)

        let second = try AuthdProcess(database: first.databasePath)
        let again = HTTPClient(base: second.baseURL)
        #expect(try await again.send("POST", "/sessions", form: ["email": "keep@b.c", "password": "pw"]).status == 200)
        #expect(second.stop() == 0)
    }

    @Test func anUnusableDatabaseStopsStartWithOneClearLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("authd-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let notADatabase = folder.appendingPathComponent("junk.db")
        try Data(repeating: 0x41, count: 4096).write(to: notADatabase)

        for path in [notADatabase.path, folder.appendingPathComponent("missing/dir/authd.db").path] {
            let process = Process()
            process.executableURL = AuthdProcess.binary
            process.arguments = ["--port", "0", "--database", path]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            process.waitUntilExit()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus != 0)
            #expect(text.contains("database"), "log was: \(text)")
        }
    }

    @Test func invalidFlagsAreRefused() throws {
        let process = Process()
        process.executableURL = AuthdProcess.binary
        process.arguments = ["--bcrypt-cost", "3"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
    }
}
