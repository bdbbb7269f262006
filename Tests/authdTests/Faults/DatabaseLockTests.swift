import Foundation
import Testing

extension HeavyFaultSuites {
    /// Another process holding SQLite's write lock past the busy timeout gets writers a prompt 503
    /// with a message, not a hang; service resumes once the lock goes.
    @Suite struct DatabaseLockTests {
        /// A python3 process holding `BEGIN EXCLUSIVE` on the file until its stdin gets a line.
        final class LockHolder: @unchecked Sendable {  // one test's, touched by one thread at a time
            let process = Process()
            private let input = Pipe()
            private let output = Pipe()

            init(database: String) throws {
                try Prerequisite.require(.python3)
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [
                    "python3", "-c",
                    """
                    import sqlite3, sys
                    db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
                    db.execute('BEGIN EXCLUSIVE')
                    print('locked', flush=True)
                    sys.stdin.readline()
                    db.execute('COMMIT')
                    """, database,
                ]
                process.standardInput = input
                process.standardOutput = output
                try process.run()
                let line = output.fileHandleForReading.availableData
                guard String(decoding: line, as: UTF8.self).hasPrefix("locked") else { throw RawClientError.receive(0) }
            }

            func release() {
                input.fileHandleForWriting.write(Data("go\n".utf8))
                process.waitUntilExit()
            }
        }

        @Test func writesGet503WhileLockedAndSucceedOnceTheLockGoes() async throws {
            let server = try AuthdProcess(arguments: ["--busy-timeout-milliseconds", "300"])
            let client = HTTPClient(base: server.baseURL)
            let form = ["email": "lock@x", "password": "pw"]
            #expect(try await client.send("POST", "/users", form: form).status == 200)

            let database = server.databasePath
            let holder = try await onOwnThread { try LockHolder(database: database) }
            let start = Date()
            let refused = try await client.send("POST", "/users", form: ["email": "later@x", "password": "pw"])
            let login = try await client.send("POST", "/sessions", form: form)
            let elapsed = Date().timeIntervalSince(start)
            holder.release()

            #expect(refused.status == 503)
            #expect(refused.json == ["message": "database busy; retry shortly"])
            #expect(refused.header("Retry-After") != nil)
            #expect(login.status == 503)

            let afterStart = Date()
            #expect(
                try await client.send("POST", "/users", form: ["email": "later@x", "password": "pw"]).status == 200)
            #expect(try await client.send("POST", "/sessions", form: form).status == 200)
            let unlocked = Date().timeIntervalSince(afterStart)
            // A ratio, as load stretches both: the refusals cost the same work plus a 0.3 s busy timeout
            // each, while waiting authd's default 5 s busy timeout or for the lock would cost over 10 s.
            #expect(
                elapsed < 8 * (unlocked + 0.6), "two refusals took \(elapsed) s, the same two unlocked \(unlocked) s")
            #expect(holder.process.terminationStatus == 0)
        }

        @Test func writesRefusedWhileLockedLeaveNoTraceAndTheRetriesHold() async throws {
            let server = try AuthdProcess(arguments: ["--busy-timeout-milliseconds", "300"])
            let client = HTTPClient(base: server.baseURL)
            #expect(
                try await client.send("POST", "/users", form: ["email": "owner@x", "password": "old"]).status == 200)
            let issued = try await client.send("POST", "/reset_password", form: ["email": "owner@x"])
            let token = try #require(issued.json["reset_token"])

            let database = server.databasePath
            let holder = try await onOwnThread { try LockHolder(database: database) }
            async let registration = client.send("POST", "/users", form: ["email": "new@x", "password": "pw"])
            async let reset = client.send(
                "PUT", "/reset_password", form: ["email": "owner@x", "reset_token": token, "new_password": "changed"])
            let (registered, changed) = try await (registration, reset)
            holder.release()
            #expect(registered.status == 503 && registered.header("Retry-After") != nil)
            #expect(changed.status == 503 && changed.header("Retry-After") != nil)

            // No trace: the password is unchanged, the token still unused, the email free. (A login
            // with the old password would clear the token, so the password is checked the other way.)
            #expect(
                try await client.send("POST", "/sessions", form: ["email": "owner@x", "password": "changed"]).status
                    == 401)
            let retried = try await client.send("POST", "/users", form: ["email": "new@x", "password": "pw"])
            #expect(retried.status == 200, "the refused registration left its row: \(retried.json)")
            let used = try await client.send(
                "PUT", "/reset_password", form: ["email": "owner@x", "reset_token": token, "new_password": "changed"])
            #expect(used.status == 200, "the refused reset consumed the token: \(used.json)")
            // What got 200 holds.
            #expect(
                try await client.send("POST", "/sessions", form: ["email": "owner@x", "password": "changed"]).status
                    == 200)
            #expect(
                try await client.send("POST", "/sessions", form: ["email": "new@x", "password": "pw"]).status == 200)
            // Audit lines only for what committed: two registrations, one password change.
            #expect(server.log.components(separatedBy: #""audit":"registered""#).count - 1 == 2)
            #expect(server.log.components(separatedBy: #""audit":"password_changed""#).count - 1 == 1)
        }
    }
}
