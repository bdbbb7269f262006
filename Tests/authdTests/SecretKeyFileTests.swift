import Foundation
import Testing

/// `--secret-key-file` against the real binary: a file that cannot be a key stops the start with
/// one line saying how to make one, and a key made that way starts a service whose seed clients
/// see nothing new.
@Suite struct SecretKeyFileTests {
    /// Runs authd until it exits (it should refuse to start); its status and output lines, and
    /// whether it got as far as creating the database.
    private func refusal(_ arguments: [String], in folder: TemporaryFolder) throws -> (
        status: Int32, lines: [String], openedDatabase: Bool
    ) {
        let database = folder.url.appendingPathComponent("authd.db").path
        let result = try run(
            "/usr/bin/timeout", ["20", AuthdProcess.binary.path, "--port", "0", "--database", database] + arguments)
        return (
            result.status, result.output.split(separator: "\n").map(String.init),
            FileManager.default.fileExists(atPath: database)
        )
    }

    @Test func aMissingOrWrongSizedKeyFileStopsTheStartSayingHowToMakeOne() throws {
        let folder = try TemporaryFolder()
        let missing = folder.url.appendingPathComponent("missing.key").path
        let absent = try refusal(["--secret-key-file", missing], in: folder)
        #expect(absent.status == 1)
        #expect(
            absent.lines == [
                "Error: --secret-key-file \(missing): cannot read it (No such file or directory); "
                    + "make one with: head -c 32 /dev/urandom > \(missing); chmod 600 \(missing)"
            ])
        #expect(!absent.openedDatabase)

        // A hex key with its newline, as `openssl rand -hex 32` writes it: 65 bytes, not a key.
        let hex = folder.url.appendingPathComponent("hex.key")
        try Data((String(repeating: "ab", count: 32) + "\n").utf8).write(to: hex)
        let wrong = try refusal(["--secret-key-file", hex.path], in: folder)
        #expect(wrong.status == 1)
        #expect(wrong.lines.count == 1 && wrong.lines[0].contains("must hold exactly 32 bytes, not more"))
        #expect(!wrong.openedDatabase)
    }

    @Test func aKeyMadeAsTheMessageSaysStartsAServiceSeedClientsSeeUnchanged() async throws {
        let folder = try TemporaryFolder()
        let key = folder.url.appendingPathComponent("authd.key").path
        let made = try run("/bin/sh", ["-c", "head -c 32 /dev/urandom > '\(key)'; chmod 600 '\(key)'"])
        #expect(made.status == 0)
        let server = try AuthdProcess(environment: ["AUTHD_SECRET_KEY_FILE": key])
        let client = HTTPClient(base: server.baseURL)
        let form = ["email": "guillaume@holberton.io", "password": "b4l0u"]
        #expect(try await client.send("POST", "/users", form: form).status == 200)
        let login = try await client.send("POST", "/sessions", form: form)
        #expect(login.status == 200)
        #expect(
            String(decoding: login.body, as: UTF8.self) == #"{"email":"guillaume@holberton.io","message":"logged in"}"#
                + "\n")
        let session = try #require(HTTPClient.sessionID(from: login))
        #expect(try await client.send("GET", "/profile", sessionID: session).status == 200)
        #expect(server.stop() == 0)
    }
}
