import Foundation
import Testing

/// authd and the seed's service share one database file.
@Suite struct SeedDatabaseTests {
    /// bcrypt of "b4l0u" made once with Python's bcrypt (`hashpw(b"b4l0u", gensalt(12))`).
    static let seedHash = "$2b$12$ubyA/PF6z7IjErOHZEBmneMxEd4WnO4w3WT7XFHBzfKsuiIgbfGQK"

    init() throws {
        try Prerequisite.require(.sqlite3)
    }

    @Test func aUserWrittenByTheSeedLogsIn() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("authd-seed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a.db").path
        // The seed's schema (SQLAlchemy) and a hash stored as bytes, as Python writes it: a BLOB.
        try sqlite(
            path,
            """
            CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR(250) NOT NULL, \
            hashed_password VARCHAR(250) NOT NULL, session_id VARCHAR(250), reset_token VARCHAR(250), PRIMARY KEY (id));
            INSERT INTO users (email, hashed_password) VALUES ('guillaume@holberton.io', CAST('\(Self.seedHash)' AS BLOB));
            """)

        let server = try AuthdProcess(database: path)
        let client = HTTPClient(base: server.baseURL)
        let login = try await client.send(
            "POST", "/sessions", form: ["email": "guillaume@holberton.io", "password": "b4l0u"])
        #expect(login.status == 200)
        let wrong = try await client.send(
            "POST", "/sessions", form: ["email": "guillaume@holberton.io", "password": "nope"])
        #expect(wrong.status == 401)
        #expect(try await client.send("POST", "/users", form: ["email": "new@b.c", "password": "pw"]).status == 200)
        #expect(server.stop() == 0)

        let types = try sqlite(path, "SELECT typeof(hashed_password) FROM users ORDER BY id;")
        #expect(types.split(separator: "\n") == ["blob", "blob"])
        #expect(try sqlite(path, "PRAGMA integrity_check;").trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    }

    @Test func theFileHoldsNeitherTheCookieNorTheTokenAndASeedSessionWorksOnce() async throws {
        let server = try AuthdProcess()
        let client = HTTPClient(base: server.baseURL)
        #expect(try await client.send("POST", "/users", form: ["email": "s@b.c", "password": "pw"]).status == 200)
        let login = try await client.send("POST", "/sessions", form: ["email": "s@b.c", "password": "pw"])
        let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let session = String(cookie.dropFirst("session_id=".count))
        let token = try #require(
            try await client.send("POST", "/reset_password", form: ["email": "s@b.c"]).json["reset_token"])
        let dump = try sqlite(server.databasePath, ".dump")
        #expect(!dump.contains(session) && !dump.contains(token))
        #expect(try await client.send("GET", "/profile", headers: ["Cookie": cookie]).status == 200)

        // A session written the seed's way (a raw uuid4) logs in once, then a new login replaces it.
        let seedSession = UUID().uuidString.lowercased()
        try sqlite(server.databasePath, "UPDATE users SET session_id = '\(seedSession)';")
        let seedCookie = "session_id=\(seedSession)"
        #expect(try await client.send("GET", "/profile", headers: ["Cookie": seedCookie]).json == ["email": "s@b.c"])
        #expect(try await client.send("POST", "/sessions", form: ["email": "s@b.c", "password": "pw"]).status == 200)
        #expect(try await client.send("GET", "/profile", headers: ["Cookie": seedCookie]).status == 403)
    }

    @discardableResult
    private func sqlite(_ path: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}
