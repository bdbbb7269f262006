import Dispatch
import Foundation
import Synchronization
import Testing

@testable import AuthService

/// What only the PostgreSQL store has to show: pipelining, group commit over the wire, losing and
/// regaining the connection, deadlines, and several stores (nodes) on one database. Each case gets
/// a fresh database on the server of `AUTHD_TEST_POSTGRES_URL` (skipped without it).
@Suite struct PostgreSQLUserStoreTests {
    private let hash = TestVectors.hash2b

    @Test func concurrentOperationsShareRoundTrips() async throws {
        try await TemporaryPostgreSQL.with { database in
            let store = try PostgreSQLUserStore(location: database.url)
            defer { store.close() }
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let before = store.roundTrips
            let found = Counter()
            let started = Counter()
            let done = DispatchGroup()
            for index in 0..<400 {
                done.enter()
                let finish: @Sendable (Bool) -> Void = { ok in
                    if ok { found.increment() }
                    done.leave()
                }
                if index % 4 == 0 {
                    store.startSession(userID: user.id, sessionID: "s-\(index)", createdAt: Int64(index)) {
                        if case .success(true) = $0 { started.increment() }
                        finish(true)
                    }
                } else {
                    store.findUser(email: "a@b.c") { finish((try? $0.get())??.id == user.id) }
                }
            }
            done.wait()
            let trips = store.roundTrips - before
            #expect(found.value == 400 && started.value == 100)
            // One round trip per batch: 400 operations submitted together need far fewer.
            #expect(trips <= 40, "400 operations took \(trips) round trips")
        }
    }

    @Test func aFailedStatementFailsOnlyItsOwnOperation() async throws {
        try await TemporaryPostgreSQL.with { database in
            let store = try PostgreSQLUserStore(location: database.url)
            defer { store.close() }
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let started = Counter()
            let tooLong = Mutex<Result<User, StoreError>?>(nil)
            let done = DispatchGroup()
            for index in 0..<60 {
                done.enter()
                if index == 30 {
                    // Over VARCHAR(250): PostgreSQL refuses the INSERT, in the middle of the others' transaction.
                    store.addUser(email: String(repeating: "x", count: 300) + "@b.c", hashedPassword: hash) { result in
                        tooLong.withLock { $0 = result }
                        done.leave()
                    }
                    continue
                }
                store.startSession(userID: user.id, sessionID: "s-\(index)", createdAt: Int64(index)) { result in
                    if case .success(true) = result { started.increment() }
                    done.leave()
                }
            }
            done.wait()
            #expect(started.value == 59)
            guard case .failure(.failure) = tooLong.withLock({ $0 }) else {
                Issue.record(
                    "the over-long email was not refused alone: \(String(describing: tooLong.withLock { $0 }))")
                return
            }
            #expect(try await store.listUsers().get().count == 1)
        }
    }

    @Test func aKilledConnectionFailsWithA503AndTheStoreComesBack() async throws {
        try await TemporaryPostgreSQL.with { database in
            // Reads that wait on the lock for minutes, not the default 5 s: in a whole-suite run this
            // task may resume only after that long, and reads the server had cancelled by then would
            // no longer be there to find (twice in fresh-clone runs, with 2 s and with 30 s of polling).
            let store = try PostgreSQLUserStore(location: database.url, operationTimeout: .seconds(300))
            defer { store.close() }
            _ = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let admin = try PostgreSQLAdmin(url: database.url)
            // Held by the test, so the store's reads are surely in flight when its session is ended.
            try admin.execute("BEGIN")
            try admin.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            let failures = Mutex<[StoreError]>([])
            let done = DispatchGroup()
            for _ in 0..<50 {
                done.enter()
                store.findUser(email: "a@b.c") { result in
                    if case .failure(let error) = result { failures.withLock { $0.append(error) } }
                    done.leave()
                }
            }
            var waiting: [[String?]] = []
            // Up to 1 500 tries, a guard against a hang only.
            for _ in 0..<1500 where waiting.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
                waiting = try admin.execute(
                    """
                    SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
                    AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                    """)
            }
            try #require(!waiting.isEmpty, "the store's reads never waited for the lock")
            try admin.execute("SELECT pg_terminate_backend(\(waiting[0][0] ?? "0"), 5000)")
            try admin.execute("ROLLBACK")
            // Every operation is answered: none waits on the dead connection.
            #expect(done.wait(timeout: .now() + 10) == .success)
            let seen = failures.withLock { $0 }
            #expect(seen.count == 50, "the terminated connection failed \(seen.count) of 50 operations")
            for error in seen {
                switch error {
                // `.busy` when the server's statement timeout ended a read first, on a slow machine.
                case .unavailable, .busy:
                    let answer = ErrorAnswer.make(AuthError(error))
                    #expect(answer.status == 503 && answer.headers.contains { $0.name == "Retry-After" })
                default:
                    Issue.record("unexpected \(error)")
                }
            }
            #expect(store.status.faultEpisodes >= 1)
            // Back by itself within the reconnection delays.
            // Up to 600 tries 50 ms apart, counted in tries rather than by the clock: on a loaded
            // machine this task may wait long to run, and a deadline would pass after few tries.
            var back = false
            for _ in 0..<600 where !back {
                back = (try? await store.findUser(email: "a@b.c").get())?.email == "a@b.c"
                if !back { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(back)
            #expect(store.status.health == .serving)
            #expect(store.reconnects >= 1)
        }
    }

    @Test func aConnectionEndedWhileIdleIsReplacedBeforeTheNextOperation() async throws {
        try await TemporaryPostgreSQL.with { database in
            let store = try PostgreSQLUserStore(location: database.url)
            defer { store.close() }
            _ = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            // As a server restart or an idle-session timeout would; the timeout waits until it is gone.
            try PostgreSQLAdmin(url: database.url).execute(
                """
                SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                """)
            #expect(try await store.findUser(email: "a@b.c").get()?.email == "a@b.c")
            #expect(try await store.addUser(email: "d@e.f", hashedPassword: hash).get().email == "d@e.f")
            #expect(store.reconnects == 1)
        }
    }

    @Test func aSessionTurnedReadOnlyMeansReconnecting() async throws {
        try await TemporaryPostgreSQL.with { database in
            let store = try PostgreSQLUserStore(location: database.url)
            defer { store.close() }
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let admin = try PostgreSQLAdmin(url: database.url)
            let name = try #require(try admin.execute("SELECT current_database()").first?.first ?? nil)
            // As a demoted primary: the next session the store gets refuses writes (SQLSTATE 25006).
            try admin.execute("ALTER DATABASE \(name) SET default_transaction_read_only = on")
            try admin.execute(
                """
                SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                """)
            let refused = await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 1)
            guard case .failure(let error) = refused, case .unavailable = error else {
                Issue.record("expected .unavailable, got \(refused)")
                return
            }
            #expect(ErrorAnswer.make(AuthError(error)).status == 503)
            let reconnectsBefore = store.reconnects
            try admin.execute("ALTER DATABASE \(name) RESET default_transaction_read_only")
            // The store drops the read-only session and finds a writable one by itself.
            // Up to 600 tries 50 ms apart, counted in tries rather than by the clock: on a loaded
            // machine this task may wait long to run, and a deadline would pass after few tries.
            var written = false
            for _ in 0..<600 where !written {
                written = (try? await store.startSession(userID: user.id, sessionID: "s-2", createdAt: 2).get()) == true
                if !written { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(written)
            #expect(store.reconnects > reconnectsBefore)
            #expect(try await store.findUser(sessionID: "s-2").get()?.id == user.id)
        }
    }

    @Test func anOperationStuckBehindALockFailsBusyBeforeItsDeadline() async throws {
        try await TemporaryPostgreSQL.with { database in
            let store = try PostgreSQLUserStore(location: database.url, operationTimeout: .seconds(1))
            defer { store.close() }
            _ = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let admin = try PostgreSQLAdmin(url: database.url)
            try admin.execute("BEGIN")
            try admin.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            // Timed on the store thread: the test's own task may resume late on a busy machine.
            let started = ContinuousClock.now
            let (outcome, waited) = await withCheckedContinuation { done in
                store.findUser(email: "a@b.c") { done.resume(returning: ($0, ContinuousClock.now - started)) }
            }
            try admin.execute("ROLLBACK")
            // The server's statement timeout (4/5 of the store's) cancels it first: busy, a 503.
            guard case .failure(let error) = outcome, error == .busy else {
                Issue.record("expected .busy, got \(outcome)")
                return
            }
            #expect(ErrorAnswer.make(AuthError(error)).status == 503)
            #expect(waited < .seconds(4), "waited \(waited)")
            // The connection goes on; the next operations work.
            // Up to 600 tries 50 ms apart, counted in tries rather than by the clock: on a loaded
            // machine this task may wait long to run, and a deadline would pass after few tries.
            var back = false
            for _ in 0..<600 where !back {
                back = (try? await store.findUser(email: "a@b.c").get()) != nil
                if !back { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(back)
        }
    }

    @Test func aServerThatStopsAnsweringFailsOperationsAtTheirDeadline() async throws {
        try await TemporaryPostgreSQL.with { database in
            let store = try PostgreSQLUserStore(location: database.url, operationTimeout: .seconds(1))
            defer { store.close() }
            _ = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let admin = try PostgreSQLAdmin(url: database.url)
            let backend = try #require(
                try admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).first?.first?.flatMap { Int32($0) })
            // A frozen server process: the socket stays open and silent, as behind a dead network.
            // It is woken as soon as the store gave up, from the store thread, and by a thread of
            // its own at the latest: a stopped backend holds up every DROP DATABASE on the server
            // (PostgreSQL 15 waits for all backends to absorb a barrier), and the other tests'
            // clean-up would block the test threads this test needs to go on.
            #expect(kill(backend, SIGSTOP) == 0)
            let wake = Thread {
                Thread.sleep(forTimeInterval: 5)
                kill(backend, SIGCONT)
            }
            wake.start()
            let started = ContinuousClock.now
            let (outcome, waited, health) = await withCheckedContinuation { done in
                store.findUser(email: "a@b.c") { result in
                    kill(backend, SIGCONT)
                    // As the answer leaves: the store reconnects by itself 50 ms later.
                    done.resume(returning: (result, ContinuousClock.now - started, store.status.health))
                }
            }
            guard case .failure(let error) = outcome, case .unavailable = error else {
                Issue.record("expected .unavailable, got \(outcome)")
                return
            }
            #expect(ErrorAnswer.make(AuthError(error)).status == 503)
            #expect(waited >= .milliseconds(900) && waited < .seconds(3), "waited \(waited)")
            #expect(health == .unavailable)
            // A new connection (a new server process) serves the next operations.
            // Up to 600 tries 50 ms apart, counted in tries rather than by the clock: on a loaded
            // machine this task may wait long to run, and a deadline would pass after few tries.
            var back = false
            for _ in 0..<600 where !back {
                back = (try? await store.findUser(email: "a@b.c").get()) != nil
                if !back { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(back)
        }
    }

    @Test(arguments: [EmailComparison.exact, .ignoringCase])
    func twoNodesAddingOneEmailAtOnceHaveOneWinner(_ unique: EmailComparison) async throws {
        try await TemporaryPostgreSQL.with { database in
            let nodes = try [PostgreSQLUserStore(location: database.url), PostgreSQLUserStore(location: database.url)]
            defer { for node in nodes { node.close() } }
            for round in 0..<5 {
                let added = Counter()
                let refused = Counter()
                let done = DispatchGroup()
                let spellings =
                    unique == .exact
                    ? ["race\(round)@b.c"] : ["race\(round)@b.c", "RACE\(round)@b.c", "Race\(round)@B.C"]
                for index in 0..<30 {
                    done.enter()
                    nodes[index % 2].addUser(
                        email: spellings[index % spellings.count], hashedPassword: "h", unique: unique
                    ) { result in
                        switch result {
                        case .success: added.increment()
                        case .failure(.duplicateEmail): refused.increment()
                        case .failure(let error): Issue.record("unexpected \(error)")
                        }
                        done.leave()
                    }
                }
                done.wait()
                #expect(added.value == 1 && refused.value == 29, "round \(round)")
            }
            #expect(try await nodes[1].listUsers().get().count == 5)
        }
    }

    @Test func aMultiHostURIFindsTheServerThatAnswersAsPrimary() async throws {
        try await TemporaryPostgreSQL.with { database in
            // A dead first host, as after the primary died: libpq goes on to the next one.
            let url = try #require(URLComponents(string: database.url))
            let live = "\(url.host ?? "127.0.0.1"):\(url.port ?? 5432)"
            let multiHost = database.url.replacingOccurrences(of: live, with: "127.0.0.1:1,\(live)")
            let separator = multiHost.contains("?") ? "&" : "?"
            let store = try PostgreSQLUserStore(location: multiHost + separator + "target_session_attrs=read-write")
            defer { store.close() }
            #expect(try await store.addUser(email: "a@b.c", hashedPassword: hash).get().email == "a@b.c")
        }
    }

    @Test func anUnreachableDatabaseIsOneClearFailureAtStart() throws {
        let started = ContinuousClock.now
        #expect {
            _ = try PostgreSQLUserStore(location: "postgresql://nobody:secret@127.0.0.1:1/none")
        } throws: { error in
            guard case StoreError.cannotOpen(let location, let reason) = error else { return false }
            return location == "postgresql://nobody:***@127.0.0.1:1/none" && reason.contains("refused")
                && !reason.contains("\n")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func twoNodesCreatingTheSchemaAtOnceBothStart() async throws {
        try await TemporaryPostgreSQL.with { database in
            let url = database.url
            let started = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        guard let store = try? PostgreSQLUserStore(location: url) else { return false }
                        store.close()
                        return true
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(started == 4)
            let admin = try PostgreSQLAdmin(url: url)
            #expect(
                try admin.execute("SELECT version FROM authd_schema_version")
                    == [["\(PostgreSQLSchema.versions.count)"]])
            #expect(try admin.execute("SELECT count(*) FROM authd_schema_version") == [["1"]])
        }
    }

    @Test func aDatabaseAtTheSessionsVersionGainsTheResetMailLimitsWhenOpened() async throws {
        try await TemporaryPostgreSQL.with { database in
            // What an authd before the limits leaves: versions 1 to 4 applied and 4 recorded.
            let admin = try PostgreSQLAdmin(url: database.url)
            for statement in PostgreSQLSchema.versions.prefix(4).joined() { _ = try admin.execute(statement) }
            _ = try admin.execute(
                "CREATE TABLE authd_schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)")
            _ = try admin.execute("INSERT INTO authd_schema_version (id, version) VALUES (1, 4)")
            let store = try PostgreSQLUserStore(location: database.url)
            defer { store.close() }
            #expect(try admin.execute("SELECT version FROM authd_schema_version") == [["5"]])
            _ = try await store.addUser(email: "bob@b.c", hashedPassword: hash).get()
            let limit = ResetMailLimit(mails: 3, window: 900_000, interval: 60_000)
            #expect(try await store.issueResetTokenByMail(.test("bob@b.c", at: 1_000, limit: limit)).get() != nil)
            #expect(try await store.issueResetTokenByMail(.test("bob@b.c", at: 2_000, limit: limit)).get() == nil)
        }
    }

    @Test func theResetMailLimitOfAnAccountIsSharedByNodes() async throws {
        try await StoreKind.postgresql.withTwoStoresOnOneDatabase { first, second in
            _ = try await first.addUser(email: "bob@b.c", hashedPassword: hash).get()
            let limit = ResetMailLimit(mails: 3, window: 900_000, interval: 60_000)
            let mail = try #require(
                try await first.issueResetTokenByMail(.test("bob@b.c", token: "raw-1", at: 1_000, limit: limit)).get())
            #expect(
                try await second.issueResetTokenByMail(.test("bob@b.c", token: "raw-2", at: 2_000, limit: limit)).get()
                    == nil)
            #expect(try await second.findUser(email: "bob@b.c").get()?.resetToken == "stored-raw-1")
            #expect(try await second.pendingResetMails(dueAt: nil).get().due == [mail])
        }
    }

    @Test func aMailClaimedByOneNodeIsNotGivenToAnotherUntilDeferred() async throws {
        try await TemporaryPostgreSQL.with { database in
            // A clock that stands still: a claim's lease cannot run out while a loaded machine waits.
            let clock = ClockForTests()
            let first = try PostgreSQLUserStore(location: database.url, clock: clock.read)
            let second = try PostgreSQLUserStore(location: database.url, clock: clock.read)
            defer {
                first.close()
                second.close()
            }
            _ = try await first.addUser(email: "bob@b.c", hashedPassword: hash).get()
            _ = try await first.addUser(email: "eve@b.c", hashedPassword: hash).get()
            let bob = try #require(try await first.issueResetTokenByMail(.test("bob@b.c", at: 1_000)).get())
            let eve = try #require(try await second.issueResetTokenByMail(.test("eve@b.c", at: 2_000)).get())
            #expect(try await first.pendingResetMails(dueAt: 1_500).get().due == [bob])
            // The start-up look (every mail) of another node skips the claimed one.
            let seen = try await second.pendingResetMails(dueAt: nil).get()
            #expect(seen.due == [eve] && seen.pending == 2)
            #expect(try await second.pendingResetMails(dueAt: nil).get().due == [])
            // A deferred mail is free again, for whichever node looks when it is due.
            #expect(try await first.deferResetMail(id: bob.id, attempts: 1, nextAttemptAt: 3_000).get())
            let again = try await second.pendingResetMails(dueAt: 3_000).get().due
            #expect(again.map(\.id) == [bob.id] && again.first?.attempts == 1)
        }
    }
}
