import Foundation
import Testing

extension HeavyFaultSuites {
    /// Storage faults broken as an operator would break a host: a full disk, the database removed,
    /// the file system turned read-only, the store stuck behind another process's lock. Each gives
    /// 503 with `Retry-After`, an honest `/healthz`, one log line per episode, and loses nothing.
    @Suite struct StorageFaultTests {
        /// A small tmpfs at a fresh folder when this process may mount one (root), else nil.
        private final class SmallFileSystem {
            let folder: TemporaryFolder
            init?(megabytes: Int) throws {
                folder = try TemporaryFolder()
                guard getuid() == 0,
                    (try? run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", folder.url.path]))?
                        .status == 0
                else { return nil }
            }
            func remount(readOnly: Bool) throws {
                let result = try run("/bin/mount", ["-o", "remount,\(readOnly ? "ro" : "rw")", folder.url.path])
                #expect(result.status == 0, "\(result.output)")
            }
            deinit { _ = try? run("/bin/umount", ["-l", folder.url.path]) }
        }

        private static func register(_ client: HTTPClient, _ email: String) async throws -> HTTPAnswer {
            try await client.send("POST", "/users", form: ["email": email, "password": "pw"])
        }

        /// `/healthz` until its status is `status` (the probe answers in the background), at most 10 s.
        private static func health(_ client: HTTPClient, becomes status: String) async throws -> HTTPAnswer {
            let limit = Date().addingTimeInterval(10)
            while true {
                let answer = try await client.send("GET", "/healthz")
                if answer.json["status"] == status || Date() > limit { return answer }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        private static func lines(_ log: String, containing text: String) -> Int {
            log.split(separator: "\n").filter { $0.contains(text) }.count
        }

        /// The log's storage fault and recovery lines, in order, as "fault" and "serving".
        private static func episodeLines(_ log: String) -> [String] {
            log.split(separator: "\n").compactMap { line in
                line.contains("storage fault") ? "fault" : line.contains("storage serving again") ? "serving" : nil
            }
        }

        /// Whether `/healthz` and `/metrics` both say the disk is full now.
        private static func showsFault(_ client: HTTPClient) async throws -> Bool {
            let health = try await client.send("GET", "/healthz")
            let metrics = String(decoding: try await client.send("GET", "/metrics").body, as: UTF8.self)
            return health.status == 503 && health.json["status"] == "storage_full"
                && metrics.contains("authd_storage_healthy 0")
        }

        private static func emails(in database: String) throws -> Set<String> {
            try Prerequisite.require(.sqlite3)
            let result = try run("/usr/bin/sqlite3", [database, "SELECT email FROM users"])
            return Set(result.output.split(separator: "\n").map(String.init))
        }

        @Test func aFullDiskAnswers503LogsEachEpisodeOnceAndServiceResumesWhenSpaceReturns() async throws {
            let small = try SmallFileSystem(megabytes: 3)
            let folder = try small?.folder ?? TemporaryFolder()
            let database = folder.url.appendingPathComponent("authd.db").path
            // Without a mount (not root), SQLite's page cap fills the file instead.
            let server = try AuthdProcess(
                arguments: (small == nil ? ["--max-database-pages", "40"] : []) + [
                    "--no-access-log", "--public-metrics",
                ],
                database: database)
            let client = HTTPClient(base: server.baseURL)
            let filler = folder.url.appendingPathComponent("filler")
            if small != nil {
                // Leave about 250 KiB (the schema, its first WAL frames and the -shm take some): a few dozen
                // commits fill it.
                _ = try run("/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=1k", "count=2800"])
            }
            var acknowledged: Set<String> = []
            var refusedEmails: Set<String> = []
            var refused: HTTPAnswer?
            for index in 0..<5000 {
                let email = "user\(index)@full.test"
                let answer = try await Self.register(client, email)
                if answer.status == 200 {
                    acknowledged.insert(email)
                } else {
                    refusedEmails.insert(email)
                    refused = answer
                    break
                }
            }
            let answer = try #require(refused, "the storage never filled")
            #expect(answer.status == 503)
            #expect(answer.json == ["message": "storage unavailable; retry shortly"])
            #expect(answer.header("Retry-After") != nil)
            // The probe's small write may fit between two registrations that do not (a loaded machine
            // times them apart), so health may flip back and forth: each registration is acknowledged
            // or refused with nothing applied, and a refusal leaves health at the fault until a probe.
            var sawFault = try await Self.showsFault(client)
            for index in 0..<20 {
                let email = "more\(index)@full.test"
                let more = try await Self.register(client, email)
                #expect(more.status == 503 || more.status == 200, "\(more.status)")
                guard more.status == 503 else {
                    acknowledged.insert(email)
                    continue
                }
                refusedEmails.insert(email)
                if !sawFault { sawFault = try await Self.showsFault(client) }
            }
            #expect(sawFault, "health never showed storage_full after a refusal")

            if small != nil {
                try FileManager.default.removeItem(at: filler)
                #expect(try await Self.health(client, becomes: "serving").status == 200)
                #expect(try await Self.register(client, "after@full.test").status == 200)
                acknowledged.insert("after@full.test")
            }
            // One line per episode: each fault line is followed by its recovery line, in turn. The
            // recovery line is written just after /healthz turns: wait for it a little.
            var episodes = Self.episodeLines(server.log)
            let limit = Date().addingTimeInterval(10)
            while small != nil && episodes.last != "serving" && Date() < limit {
                try await Task.sleep(for: .milliseconds(100))
                episodes = Self.episodeLines(server.log)
            }
            let expected = (0..<episodes.count).map { $0 % 2 == 0 ? "fault" : "serving" }
            #expect(!episodes.isEmpty && episodes == expected, "\(server.log)")
            if small != nil { #expect(episodes.last == "serving") }
            #expect(server.stop() == 0)
            // Nothing acknowledged is lost, and nothing refused was applied.
            let stored = try Self.emails(in: database)
            #expect(stored.isSuperset(of: acknowledged))
            #expect(stored.isDisjoint(with: refusedEmails))
            #expect(acknowledged.count > 1)
        }

        @Test func aRemovedDatabaseStopsWritesTurnsHealthToLostAndIsNotRecreated() async throws {
            let server = try AuthdProcess(arguments: ["--no-access-log"])
            let client = HTTPClient(base: server.baseURL)
            #expect(try await Self.register(client, "before@lost.test").status == 200)
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: server.databasePath + suffix)
            }

            let refused = try await Self.register(client, "after@lost.test")
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") != nil)
            let health = try await Self.health(client, becomes: "storage_lost")
            #expect(health.status == 503 && health.json == ["status": "storage_lost"])
            #expect(try await Self.register(client, "again@lost.test").status == 503)
            #expect(Self.lines(server.log, containing: "storage lost") == 1, "\(server.log)")
            #expect(server.log.contains("critical"))
            #expect(!FileManager.default.fileExists(atPath: server.databasePath))
            #expect(server.stop() == 0)
            #expect(!FileManager.default.fileExists(atPath: server.databasePath))
        }

        @Test func healthzAnswersAtOnceFromTheLastStateWhileTheStoreIsStuckThenSays503() async throws {
            let server = try AuthdProcess(arguments: ["--busy-timeout-milliseconds", "4000", "--no-access-log"])
            let client = HTTPClient(base: server.baseURL)
            #expect(try await client.send("GET", "/healthz").status == 200)
            let database = server.databasePath
            let holder = try await onOwnThread { try DatabaseLockTests.LockHolder(database: database) }
            // The store thread waits up to 4 s for the lock with this registration's write.
            async let stuck = Self.register(client, "stuck@lock.test")
            try await Task.sleep(for: .milliseconds(500))
            let start = Date()
            let first = try await client.send("GET", "/healthz")
            #expect(Date().timeIntervalSince(start) < 0.5, "healthz waited for the store")
            #expect(first.status == 200)
            try await Task.sleep(for: .milliseconds(1500))
            let overdue = try await client.send("GET", "/healthz")
            #expect(overdue.status == 503 && overdue.json == ["status": "storage_unavailable"])
            holder.release()
            // Released before its busy timeout: the registration went through after all.
            #expect(try await stuck.status == 200)
            #expect(try await Self.health(client, becomes: "serving").status == 200)
        }

        @Test func aReadBehindAWriterStuckOnALockWaitsOneBusyTimeoutAtMost() async throws {
            let busy = 2.0
            let server = try AuthdProcess(arguments: [
                "--busy-timeout-milliseconds", "\(Int(busy * 1000))", "--no-access-log",
            ])
            let client = HTTPClient(base: server.baseURL)
            #expect(try await Self.register(client, "reader@lock.test").status == 200)
            let login = try await client.send(
                "POST", "/sessions", form: ["email": "reader@lock.test", "password": "pw"])
            let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
            let database = server.databasePath
            let holder = try await onOwnThread { try DatabaseLockTests.LockHolder(database: database) }
            // Writers queue up behind the lock, one busy timeout each...
            async let first = Self.register(client, "w1@lock.test")
            async let second = Self.register(client, "w2@lock.test")
            try await Task.sleep(for: .milliseconds(300))
            // ... and a read arriving meanwhile waits for the current one only.
            let start = Date()
            let profile = try await client.send("GET", "/profile", headers: ["Cookie": cookie])
            let waited = Date().timeIntervalSince(start)
            holder.release()
            _ = try await (first, second)
            #expect(profile.status == 200)
            #expect(waited < busy * 1.5, "a read waited \(waited) s behind a \(busy) s busy timeout")
        }
    }
}
