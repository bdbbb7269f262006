import Foundation
import Testing

/// A key file that does not open the stored TOTP secrets, against the real binary: the start stops
/// with one line naming the missing key id, instead of those users' code steps failing later.
@Suite struct WrongKeyFileTests {
    init() throws {
        try Prerequisite.require(.pyotp, .sqlite3)
    }

    /// A key file's id: the first 8 hex digits of its SHA-256.
    private func keyID(_ path: String) throws -> String {
        String(try run("/usr/bin/sha256sum", [path]).output.prefix(8))
    }

    /// authd on `database` with `arguments`, run until it exits: its status and output lines.
    private func refusal(_ database: String, _ arguments: [String]) throws -> (status: Int32, lines: [String]) {
        let result = try run(
            "/usr/bin/timeout", ["20", AuthdProcess.binary.path, "--port", "0", "--database", database] + arguments)
        return (result.status, result.output.split(separator: "\n").map(String.init))
    }

    @Test func aKeyThatDoesNotOpenTheStoredSecretsStopsTheStartUntilTheOldOneIsGivenAsPrevious() async throws {
        let service = try TOTPService()
        let user = try await service.enrolledUser("kim@example.com")
        #expect(service.server.stop() == 0)
        let database = service.server.databasePath
        let keyA = service.folder.url.appendingPathComponent("authd.key").path
        let keyB = service.folder.url.appendingPathComponent("new.key").path
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: keyB))
        let idA = try keyID(keyA)

        let wrong = try refusal(database, ["--secret-key-file", keyB])
        #expect(wrong.status != 0)
        // One line, after the log's time stamp and label.
        #expect(wrong.lines.count == 1)
        #expect(
            wrong.lines.first?.hasSuffix(
                "cannot start: the database holds TOTP secrets sealed under key id(s) \(idA), which neither "
                    + "--secret-key-file nor --previous-secret-key-file holds: pass the key file they were sealed "
                    + "with as --secret-key-file or --previous-secret-key-file") == true)
        let none = try refusal(database, [])
        #expect(none.status != 0)
        #expect(none.lines.count == 1 && none.lines[0].contains("key id(s) \(idA), but no --secret-key-file is given"))

        // The old key as the previous one: it starts, and the user's code opens.
        let rotated = try AuthdProcess(
            arguments: ["--secret-key-file", keyB, "--previous-secret-key-file", keyA], database: database)
        let client = HTTPClient(base: rotated.baseURL)
        let login = try await client.send("POST", "/sessions", form: user.credentials)
        let waiting = try #require(HTTPClient.sessionID(from: login))
        let raised = try await client.send(
            "POST", "/sessions/2fa", form: ["code": try await user.laterCode()], sessionID: waiting)
        #expect(raised.status == 200)
        #expect(rotated.stop() == 0)
    }
}
