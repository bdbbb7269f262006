import Foundation
import Testing

/// The admin commands against hostile files and rows (issue 21: M5, L5, L6, L11, L12): what they
/// create is owner-only, they follow no planted link, print no terminal controls and import only
/// what the HTTP routes would accept.
@Suite struct AdminHardeningTests {
    /// Runs `authd <arguments>` to completion under umask 022 (a common default that leaves new
    /// files world-readable); its status and combined output.
    private func authd(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run("/bin/sh", ["-c", "umask 022 && exec \"$0\" \"$@\"", AuthdProcess.binary.path] + arguments)
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    /// bcrypt hashes of `passwords` at cost 4, made by Python's bcrypt as another system would.
    private func hashes(_ passwords: [String]) throws -> [String] {
        let list = passwords.map { "b\"\($0)\"" }.joined(separator: ", ")
        let made = try run(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import bcrypt\nfor p in (\(list),): print(bcrypt.hashpw(p, bcrypt.gensalt(4)).decode())",
            ])
        let lines = made.output.split(separator: "\n").map(String.init)
        try #require(lines.count == passwords.count, "\(made.output)")
        return lines
    }

    @Test func databaseWALAndBackupAreOwnerOnlyUnderUmask022() async throws {
        let server = try AuthdProcess(umask: "022")
        let client = HTTPClient(base: server.baseURL)
        #expect(
            try await client.send("POST", "/users", form: ["email": "a@example.com", "password": "pw"]).status == 200)
        for suffix in ["", "-wal", "-shm"] {
            #expect(try mode(server.databasePath + suffix) == 0o600, "authd.db\(suffix)")
        }
        let copy = server.directory.appendingPathComponent("copy.db").path
        let backup = try authd(["backup", copy, "--database", server.databasePath])
        #expect(backup.status == 0, "\(backup.output)")
        #expect(try mode(copy) == 0o600)
        // migrate creates its target database as the server does.
        let target = server.directory.appendingPathComponent("target.db").path
        let migrated = try authd(["migrate", "--from", copy, "--to", target])
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(try mode(target) == 0o600)
        #expect(server.stop() == 0)
    }

    @Test func backupRefusesADanglingSymbolicLink() throws {
        let server = try AuthdProcess()
        let elsewhere = server.directory.appendingPathComponent("elsewhere.db").path
        let link = server.directory.appendingPathComponent("backup.db").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: elsewhere)
        let backup = try authd(["backup", link, "--database", server.databasePath])
        #expect(backup.status == 1)
        #expect(backup.output.contains("is a symbolic link"), "\(backup.output)")
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == elsewhere)
        #expect(server.stop() == 0)
    }

    @Test func usersListEscapesControlCharactersOfStoredEmails() throws {
        let server = try AuthdProcess()
        // The seed's service stores any string: ESC (clear screen), BEL, and a LF forging a line.
        let email = "evil' || char(27) || '[2J' || char(7) || char(10) || '2  root@example.com  no session"
        let inserted = try run(
            "/usr/bin/sqlite3",
            [server.databasePath, "INSERT INTO users (email, hashed_password) VALUES ('\(email)', 'x')"])
        #expect(inserted.status == 0, "\(inserted.output)")
        let listed = try authd(["users", "list", "--database", server.databasePath])
        #expect(listed.status == 0)
        #expect(!listed.output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" })
        #expect(
            listed.output.split(separator: "\n", omittingEmptySubsequences: false) == [
                #"1  evil\u{1B}[2J\u{7}\u{A}2  root@example.com  no session  no session"#, "1 user", "",
            ])
        #expect(server.stop() == 0)
    }

    @Test func usersDeleteByIDRemovesARowNoEmailCanName() throws {
        let server = try AuthdProcess()
        let inserted = try run(
            "/usr/bin/sqlite3",
            [
                server.databasePath,
                "INSERT INTO users (email, hashed_password) VALUES ('bad' || char(27) || '@example.com', 'x'), ('ok@example.com', 'y')",
            ])
        #expect(inserted.status == 0, "\(inserted.output)")
        let deleted = try authd(["users", "delete", "--id", "1", "--database", server.databasePath])
        #expect(deleted.status == 0, "\(deleted.output)")
        #expect(deleted.output == "deleted user 1 bad\\u{1B}@example.com\n")
        let left = try run("/usr/bin/sqlite3", [server.databasePath, "SELECT id, email FROM users"])
        #expect(left.output == "2|ok@example.com\n")
        let again = try authd(["users", "delete", "--id", "1", "--database", server.databasePath])
        #expect(again.status == 1)
        #expect(again.output == "Error: no user with id 1\n")
        #expect(server.stop() == 0)
    }

    @Test func importAcceptsCRLFLineEndsAndAByteOrderMark() async throws {
        let server = try AuthdProcess()
        let made = try hashes(["first-pw", "second-pw", "third-pw"])
        let file = server.directory.appendingPathComponent("users.csv")
        // A spreadsheet's export: a byte order mark, then CRLF line ends; the first file has no header.
        let withoutHeader = "\u{FEFF}first@example.org,\(made[0])\r\nsecond@example.org,\(made[1])\r\n"
        try Data(withoutHeader.utf8).write(to: file)
        let first = try authd(["import", file.path, "--database", server.databasePath])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output == "imported 2 users, skipped 0 rows\n")
        let withHeader = "\u{FEFF}email,hashed_password\r\nthird@example.org,\(made[2])\r\n"
        try Data(withHeader.utf8).write(to: file)
        let second = try authd(["import", file.path, "--database", server.databasePath])
        #expect(second.output == "imported 1 user, skipped 0 rows\n")
        let client = HTTPClient(base: server.baseURL)
        for (email, password) in [
            ("first@example.org", "first-pw"), ("second@example.org", "second-pw"), ("third@example.org", "third-pw"),
        ] {
            let login = try await client.send("POST", "/sessions", form: ["email": email, "password": password])
            #expect(login.status == 200, "\(email)")
        }
        #expect(server.stop() == 0)
    }

    @Test func importRefusesARowThatIsNotUTF8() throws {
        let server = try AuthdProcess()
        let made = try hashes(["one-pw", "two-pw"])
        let file = server.directory.appendingPathComponent("users.csv")
        // Line 2 holds a Latin-1 é (0xE9), which is not UTF-8: repaired, it would be U+FFFD.
        var bytes = Array("ok@example.org,\(made[0])\n".utf8)
        bytes += Array("caf".utf8) + [0xE9] + Array("@example.org,\(made[1])\n".utf8)
        try Data(bytes).write(to: file)
        let result = try authd(["import", file.path, "--database", server.databasePath])
        #expect(result.status == 0, "\(result.output)")
        #expect(
            result.output == "\(file.path):2: skipped: not valid UTF-8\nimported 1 user, skipped 1 row\n")
        let stored = try run("/usr/bin/sqlite3", [server.databasePath, "SELECT email FROM users ORDER BY id"])
        #expect(stored.output == "ok@example.org\n")
        #expect(server.stop() == 0)
    }
}
