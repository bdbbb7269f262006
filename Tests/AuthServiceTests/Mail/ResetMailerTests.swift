import Foundation
import Testing

@testable import AuthService

/// Reset by mail through Auth, its outbox and its delivery thread, against a scripted relay:
/// what is mailed, retried, dropped, and what survives a restart.
@Suite(.serialized) struct ResetMailerTests {
    private static let password = "b4l0u"

    private func mailAuth(
        relay: FakeRelay, store: any UserStore = InMemoryUserStore(), audit: AuditCollector = AuditCollector(),
        resetTokenMilliseconds: Int64 = 900_000, timeoutSeconds: Int64 = 2, keys: SealingKeyring? = nil,
        accountLimit: ResetMailLimit = ResetMailSettings().accountLimit
    ) throws -> Auth {
        var configuration = AuthConfiguration(bcryptCost: 4, hashThreads: 1)
        configuration.sealingKeys = keys
        configuration.resetDelivery = .smtp(host: "127.0.0.1", port: relay.port)
        configuration.resetMail = ResetMailSettings(
            from: "noreply@app.test", timeout: Lifetime(seconds: timeoutSeconds))
        configuration.resetMail.accountLimit = accountLimit
        configuration.resetTokenLifetime.milliseconds = resetTokenMilliseconds
        configuration.mailRetrySchedule = RetrySchedule(firstMilliseconds: 50, longestMilliseconds: 200)
        return try Auth(store: store, configuration: configuration, audit: audit)
    }

    /// The uuid4 in a mail's data.
    private func mailedToken(in data: [UInt8]) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        return text.firstMatch(of: /\r\n([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\r\n/).map
        { String($0.1) }
    }

    /// Polls `condition` as a task (never blocking a shared thread) for up to `seconds`; whether it held.
    private func waitFor(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
        let limit = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < limit {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test func afterARequestTheStoreSeesTheSameWriteAtTheSameTimeRegisteredOrNot() async throws {
        try await TemporaryDatabase.with { database in
            let relay = try FakeRelay([FakeRelay.accepting()])
            let auth = try mailAuth(relay: relay, store: try SQLiteUserStore(path: database.path))
            defer { auth.shutdown() }
            _ = try #require(await auth.register(email: "bob@b.c", password: Self.password).value)
            let raw = try RawSQLite(path: database.path)
            // Every write of the reset path rewrites this row (the request's, then the settling one).
            func written() -> Int64 {
                (try? raw.value("SELECT requested_ms FROM authd_reset_requests")).flatMap { Int64($0) } ?? 0
            }
            for email in ["nobody@b.c", "bob@b.c"] {
                let asked = WallClock.milliseconds()
                #expect(await auth.requestPasswordReset(email: email).value == .mailed(email: email))
                // The request's own write says `asked` or just after; the settling one, a quarter
                // second later at the earliest (for bob, in the transaction that removes his mail).
                #expect(
                    await waitFor { written() >= asked + 250 },
                    "\(email): no write a quarter second after the request (\(written() - asked) ms)")
            }
            #expect(await relay.eventually { $0.data.count == 1 })
        }
    }

    @Test func aRegisteredEmailGetsOneMailWhoseTokenResetsThePassword() async throws {
        let relay = try FakeRelay([FakeRelay.accepting()])
        let audit = AuditCollector()
        let auth = try mailAuth(relay: relay, audit: audit)
        defer { auth.shutdown() }
        let user = try #require(await auth.register(email: "bob@b.c", password: Self.password).value)
        #expect(await auth.requestPasswordReset(email: " bob@B.C").value == .mailed(email: "bob@b.c"))
        #expect(await relay.eventually { $0.data.count == 1 })
        #expect(
            relay.lines.prefix(3).elementsEqual([
                "EHLO \(ResetMailer.helloName())", "MAIL FROM:<noreply@app.test>", "RCPT TO:<bob@b.c>",
            ]))
        let token = try #require(mailedToken(in: relay.data[0]))
        #expect(await auth.updatePassword(email: "bob@b.c", resetToken: token, newPassword: "n3w").value?.id == user.id)
        #expect(await waitFor { auth.stats.resetMailsSent == 1 && auth.stats.outboxDepth == 0 })
        #expect(
            await waitFor {
                audit.records.contains { $0.event == .resetMailSent && $0.userID == user.id && $0.count == 1 }
            })
        #expect(audit.records.contains { $0.event == .resetTokenIssued && $0.userID == user.id })
        #expect(!"\(audit.records)".contains(token))
    }

    @Test func registeredAndUnknownEmailsGetTheSameOutcomeAndOnlyTheRegisteredOneAMail() async throws {
        let relay = try FakeRelay([FakeRelay.accepting()])
        let auth = try mailAuth(relay: relay)
        defer { auth.shutdown() }
        _ = try #require(await auth.register(email: "bob@b.c", password: Self.password).value)
        #expect(await auth.requestPasswordReset(email: "nobody@b.c").value == .mailed(email: "nobody@b.c"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(relay.connections == 0)
        #expect(await auth.requestPasswordReset(email: "bob@b.c").value == .mailed(email: "bob@b.c"))
        #expect(await relay.eventually { $0.data.count == 1 })
        // The rules of the email are the same: an invalid one is refused before anything is looked up.
        #expect(
            await auth.requestPasswordReset(email: "bob@b.c\r\nBcc: x@evil.test").failure
                == .invalidEmail(.controlCharacter))
    }

    @Test func aDeferredMailIsTriedAgainAndThenDelivered() async throws {
        let relay = try FakeRelay([FakeRelay.refusing(at: "END", with: "451 4.3.0 later\r\n"), FakeRelay.accepting()])
        let audit = AuditCollector()
        let auth = try mailAuth(relay: relay, audit: audit)
        defer { auth.shutdown() }
        _ = try #require(await auth.register(email: "bob@b.c", password: Self.password).value)
        _ = await auth.requestPasswordReset(email: "bob@b.c")
        #expect(await relay.eventually { $0.data.count == 2 && $0.connections == 2 })
        #expect(await waitFor { auth.stats.resetMailsSent == 1 })
        #expect(auth.stats.resetMailsRetried == 1 && auth.stats.resetMailsGivenUp == 0)
        #expect(await waitFor { audit.records.contains { $0.event == .resetMailSent && $0.count == 2 } })
        // Both attempts carried the same token.
        #expect(mailedToken(in: relay.data[0]) == mailedToken(in: relay.data[1]))
    }

    @Test func aRefusedMailIsDroppedAndNeverTriedAgain() async throws {
        let relay = try FakeRelay([
            FakeRelay.refusing(at: "RCPT", with: "550 5.1.1 no such user\r\n"), FakeRelay.accepting(),
        ])
        let audit = AuditCollector()
        let auth = try mailAuth(relay: relay, audit: audit)
        defer { auth.shutdown() }
        let user = try #require(await auth.register(email: "bob@b.c", password: Self.password).value)
        _ = await auth.requestPasswordReset(email: "bob@b.c")
        #expect(await waitFor { auth.stats.resetMailsGivenUp == 1 })
        try await Task.sleep(for: .milliseconds(400))  // several first retries long
        #expect(relay.connections == 1)
        #expect(auth.stats.resetMailsSent == 0 && auth.stats.resetMailsRetried == 0 && auth.stats.outboxDepth == 0)
        #expect(
            await waitFor {
                audit.records.contains {
                    $0.event == .resetMailFailed && $0.userID == user.id && $0.reason == "relay_refused"
                }
            })
    }

    @Test func aMailTheRelayCannotTakeBeforeItsTokenExpiresIsDropped() async throws {
        let relay = try FakeRelay([])
        relay.stop()
        let audit = AuditCollector()
        let store = InMemoryUserStore()
        let auth = try mailAuth(relay: relay, store: store, audit: audit, resetTokenMilliseconds: 600)
        defer { auth.shutdown() }
        _ = try #require(await auth.register(email: "bob@b.c", password: Self.password).value)
        _ = await auth.requestPasswordReset(email: "bob@b.c")
        #expect(await waitFor { auth.stats.resetMailsGivenUp == 1 })
        #expect(auth.stats.resetMailsRetried >= 2)
        #expect(audit.records.contains { $0.event == .resetMailFailed && $0.reason == "expired" })
        #expect(try await store.pendingResetMails(dueAt: nil).get().pending == 0)
    }

    @Test func aPendingMailIsSentWhenAuthStartsAgain() async throws {
        try await TemporaryDatabase.with { database in
            let down = try FakeRelay([])
            down.stop()
            let first = try mailAuth(relay: down, store: try SQLiteUserStore(path: database.path))
            _ = try #require(await first.register(email: "bob@b.c", password: Self.password).value)
            _ = await first.requestPasswordReset(email: "bob@b.c")
            #expect(await waitFor { first.stats.resetMailsRetried >= 1 })
            first.shutdown()

            let relay = try FakeRelay([FakeRelay.accepting()])
            let second = try mailAuth(relay: relay, store: try SQLiteUserStore(path: database.path))
            defer { second.shutdown() }
            #expect(await relay.eventually { $0.data.count == 1 })
            let token = try #require(mailedToken(in: relay.data[0]))
            #expect(await second.updatePassword(email: "bob@b.c", resetToken: token, newPassword: "n3w").value != nil)
        }
    }

    @Test func withAKeyTheOutboxHoldsTheTokenSealedAndTheMailCarriesItOpen() async throws {
        try await TemporaryDatabase.with { database in
            let keys = SealingKeyring(current: .random())
            let down = try FakeRelay([])
            down.stop()
            let first = try mailAuth(relay: down, store: try SQLiteUserStore(path: database.path), keys: keys)
            _ = try #require(await first.register(email: "bob@b.c", password: Self.password).value)
            _ = await first.requestPasswordReset(email: "bob@b.c")
            #expect(await waitFor { first.stats.resetMailsRetried >= 1 })
            first.shutdown()
            let stored = try #require(try RawSQLite(path: database.path).value("SELECT token FROM authd_outbox"))
            #expect(stored.hasPrefix("sealed:\(keys.current.id):"))

            // Started again without the key, the sealed token cannot be sent: the mail is dropped.
            let unkeyedRelay = try FakeRelay([FakeRelay.accepting()])
            let audit = AuditCollector()
            let unkeyed = try mailAuth(
                relay: unkeyedRelay, store: try SQLiteUserStore(path: database.path), audit: audit)
            #expect(await waitFor { unkeyed.stats.resetMailsGivenUp == 1 })
            #expect(audit.records.contains { $0.event == .resetMailFailed && $0.reason == "unsealable" })
            #expect(unkeyedRelay.connections == 0)
            unkeyed.shutdown()

            let relay = try FakeRelay([FakeRelay.accepting()])
            // A second request within the minute: the account's limit (counted in the file) is not
            // what this test is about.
            let keyed = try mailAuth(
                relay: relay, store: try SQLiteUserStore(path: database.path), keys: keys, accountLimit: .none)
            defer { keyed.shutdown() }
            _ = await keyed.requestPasswordReset(email: "bob@b.c")
            #expect(await relay.eventually { $0.data.count == 1 })
            let token = try #require(mailedToken(in: relay.data[0]))
            #expect(!stored.contains(token))
            #expect(await keyed.updatePassword(email: "bob@b.c", resetToken: token, newPassword: "n3w").value != nil)
        }
    }

    @Test func aSealedTokenOpensOnlyWithItsKeyAndTimes() throws {
        let keys = SealingKeyring(current: .random())
        let token = UUID4.make()
        #expect(try OutboxToken.stored(token, createdAt: 1, expiresAt: 2, keys: nil) == token)
        let stored = try OutboxToken.stored(token, createdAt: 1, expiresAt: 2, keys: keys)
        #expect(OutboxToken.readable(stored, createdAt: 1, expiresAt: 2, keys: keys) == token)
        #expect(OutboxToken.readable(stored, createdAt: 1, expiresAt: 3, keys: keys) == nil)
        #expect(OutboxToken.readable(stored, createdAt: 1, expiresAt: 2, keys: nil) == nil)
        #expect(
            OutboxToken.readable(stored, createdAt: 1, expiresAt: 2, keys: SealingKeyring(current: .random())) == nil)
        // A row written before the key was given still goes out.
        #expect(OutboxToken.readable(token, createdAt: 1, expiresAt: 2, keys: keys) == token)
    }

    @Test func shutdownCutsADialogueWithAHangingRelayShort() async throws {
        let relay = try FakeRelay([[.send("220 relay.test\r\n"), .readLine, .hang(seconds: 20)]])
        let auth = try mailAuth(relay: relay, timeoutSeconds: 15)
        _ = try #require(await auth.register(email: "bob@b.c", password: Self.password).value)
        _ = await auth.requestPasswordReset(email: "bob@b.c")
        #expect(await relay.eventually { $0.lines.count == 1 })
        let took = try await onOwnThread {
            let started = ContinuousClock.now
            auth.shutdown()
            return ContinuousClock.now - started
        }
        #expect(took < .seconds(3))
    }

    @Test func theSeedsDeliveryStillAnswersWithTheToken() async throws {
        try await TemporaryDatabase.with { database in
            let auth = try Auth(configuration: testConfiguration(database))
            defer { auth.shutdown() }
            let user = try #require(await auth.register(email: "bob@b.c", password: Self.password).value)
            guard case let .token(owner, token)? = await auth.requestPasswordReset(email: "bob@b.c").value else {
                Issue.record("no token")
                return
            }
            #expect(owner.id == user.id)
            #expect(await auth.updatePassword(email: "bob@b.c", resetToken: token, newPassword: "n3w").value != nil)
            #expect(await auth.requestPasswordReset(email: "nobody@b.c").failure == .unknownEmail)
        }
    }
}
