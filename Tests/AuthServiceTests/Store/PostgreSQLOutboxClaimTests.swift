import Testing

@testable import AuthService

/// A claim on an outbox mail is renewed before each send and lost once another node took the mail:
/// a batch that outlasts its lease can no longer mail anyone twice.
@Suite struct PostgreSQLOutboxClaimTests {
    @Test func aClaimIsRenewedWhileItIsOursAndRefusedOnceAnotherNodeTookTheMail() async throws {
        try await TemporaryPostgreSQL.with { database in
            let clock = ClockForTests()
            let first = try PostgreSQLUserStore(location: database.url, clock: clock.read)
            let second = try PostgreSQLUserStore(location: database.url, clock: clock.read)
            defer {
                first.close()
                second.close()
            }
            _ = try await first.addUser(email: "bob@b.c", hashedPassword: TestVectors.hash2b).get()
            let bob = try #require(try await first.issueResetTokenByMail(.test("bob@b.c", at: 1_000)).get())
            let claimed = try await first.pendingResetMails(dueAt: nil).get()
            #expect(claimed.due == [bob])
            let claimedUntil = try #require(claimed.claimedUntil)
            #expect(claimedUntil == clock.read() + 60_000)
            #expect(try await first.renewResetMailClaim(id: bob.id, claimedUntil: claimedUntil).get())
            // Renewed from a later now: the old claim value no longer names it.
            clock.advance(seconds: 1)
            #expect(try await first.renewResetMailClaim(id: bob.id, claimedUntil: claimedUntil).get())
            #expect(try await first.renewResetMailClaim(id: bob.id, claimedUntil: claimedUntil).get() == false)
            let renewedUntil = claimedUntil + 1_000
            #expect(try await first.renewResetMailClaim(id: bob.id, claimedUntil: renewedUntil).get())
            // The lease runs out; another node claims the mail, and the first may not send it.
            clock.advance(seconds: 61)
            let taken = try await second.pendingResetMails(dueAt: nil).get()
            #expect(taken.due.map(\.id) == [bob.id])
            #expect(try await first.renewResetMailClaim(id: bob.id, claimedUntil: renewedUntil).get() == false)
            #expect(
                try await second.renewResetMailClaim(id: bob.id, claimedUntil: try #require(taken.claimedUntil)).get())
        }
    }

    @Test(arguments: [StoreKind.sqlite, .memory])
    func storesThatDoNotClaimGiveNoClaimToRenew(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "bob@b.c", hashedPassword: TestVectors.hash2b).get()
            _ = try #require(try await store.issueResetTokenByMail(.test("bob@b.c", at: 1_000)).get())
            #expect(try await store.pendingResetMails(dueAt: nil).get().claimedUntil == nil)
        }
    }
}
