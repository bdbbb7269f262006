import Dispatch
import Testing
@testable import AuthService

/// The store protocol's contract, run against every implementation (as Kratos runs its persister
/// tests on each database): the same cases, the same answers.
@Suite struct UserStoreContractTests {
    private let hash = TestVectors.hash2b

    @Test(arguments: StoreKind.allCases)
    func addedUsersGetDistinctIDsAndAreFoundByExactEmail(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let first = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let second = try await store.addUser(email: "d@e.f", hashedPassword: TestVectors.hash2a).get()
            #expect(first == User(id: first.id, email: "a@b.c", hashedPassword: hash))
            #expect(second.id != first.id)
            #expect(try await store.findUser(email: "a@b.c").get() == first)
            #expect(try await store.findUser(email: "d@e.f").get()?.hashedPassword == TestVectors.hash2a)
            #expect(try await store.findUser(email: "nobody@b.c").get() == nil)
            // Byte for byte, as the seed: no case folding in the store.
            #expect(try await store.findUser(email: "A@b.c").get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aTakenEmailIsRefusedAndNothingIsAdded(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            #expect(await store.addUser(email: "a@b.c", hashedPassword: TestVectors.hash2a).failure == .duplicateEmail)
            #expect(try await store.findUser(email: "a@b.c").get()?.hashedPassword == hash)
            #expect(await store.addUser(email: "A@b.c", hashedPassword: hash).value != nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aStartedSessionFindsItsUserAndReplacesTheOlderOne(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let other = try await store.addUser(email: "o@b.c", hashedPassword: hash).get()
            #expect(try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 1_000).get())
            #expect(try await store.startSession(userID: other.id, sessionID: "s-other", createdAt: 5).get())
            let found = try #require(try await store.findUser(sessionID: "s-1").get())
            #expect(found.id == user.id && found.sessionID == "s-1" && found.sessionCreatedAt == 1_000)

            #expect(try await store.startSession(userID: user.id, sessionID: "s-2", createdAt: 2_000).get())
            #expect(try await store.findUser(sessionID: "s-1").get() == nil)
            #expect(try await store.findUser(sessionID: "s-2").get()?.sessionCreatedAt == 2_000)
            #expect(try await store.findUser(sessionID: "s-other").get()?.id == other.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func startingASessionClearsAPendingResetToken(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.issueResetToken(email: "a@b.c", token: "t-1", createdAt: 1).get()
            _ = try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 2).get()
            #expect(try await store.findUser(resetToken: "t-1", email: "a@b.c").get() == nil)
            let found = try #require(try await store.findUser(email: "a@b.c").get())
            #expect(found.resetToken == nil && found.resetTokenCreatedAt == nil && found.sessionID == "s-1")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func startingASessionForAMissingUserChangesNothing(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let started = try await store.startSession(userID: 42, sessionID: "s-1", createdAt: 1).get()
            #expect(started == false)
            #expect(try await store.findUser(sessionID: "s-1").get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func endingASessionReturnsTheUserAsItWasAndOnlyOnce(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 1_000).get()
            let ended = try #require(try await store.endSession("s-1").get())
            #expect(ended.id == user.id && ended.sessionID == "s-1" && ended.sessionCreatedAt == 1_000)
            #expect(try await store.findUser(sessionID: "s-1").get() == nil)
            #expect(try await store.findUser(email: "a@b.c").get()?.sessionCreatedAt == nil)
            #expect(try await store.endSession("s-1").get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func endingAReplacedSessionLeavesTheNewOne(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(userID: user.id, sessionID: "old", createdAt: 1).get()
            _ = try await store.startSession(userID: user.id, sessionID: "new", createdAt: 2).get()
            #expect(try await store.endSession("old").get() == nil)
            #expect(try await store.findUser(sessionID: "new").get()?.id == user.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aResetTokenIsIssuedOnlyToARegisteredEmailAndFoundOnlyWithIt(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.addUser(email: "o@b.c", hashedPassword: hash).get()
            #expect(try await store.issueResetToken(email: "nobody@b.c", token: "t-0", createdAt: 1).get() == nil)
            let issued = try #require(try await store.issueResetToken(email: "a@b.c", token: "t-1", createdAt: 7).get())
            #expect(issued.id == user.id && issued.resetToken == "t-1" && issued.resetTokenCreatedAt == 7)
            #expect(try await store.findUser(resetToken: "t-1", email: "a@b.c").get()?.id == user.id)
            #expect(try await store.findUser(resetToken: "t-1", email: "o@b.c").get() == nil)
            #expect(try await store.findUser(resetToken: "t-0", email: "nobody@b.c").get() == nil)
            // A new token replaces the old one.
            _ = try await store.issueResetToken(email: "a@b.c", token: "t-2", createdAt: 8).get()
            #expect(try await store.findUser(resetToken: "t-1", email: "a@b.c").get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func clearingATokenOnlyClearsThatTokenOfThatEmail(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.issueResetToken(email: "a@b.c", token: "t-1", createdAt: 1).get()
            #expect(try await store.clearResetToken("t-1", email: "o@b.c").get() == false)
            #expect(try await store.clearResetToken("t-other", email: "a@b.c").get() == false)
            #expect(try await store.findUser(resetToken: "t-1", email: "a@b.c").get() != nil)
            #expect(try await store.clearResetToken("t-1", email: "a@b.c").get())
            let cleared = try #require(try await store.findUser(email: "a@b.c").get())
            #expect(cleared.resetToken == nil && cleared.resetTokenCreatedAt == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func consumingATokenSetsTheHashClearsTheTokenAndEndsTheSessionAtOnce(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 1).get()
            _ = try await store.issueResetToken(email: "a@b.c", token: "t-1", createdAt: 2).get()
            #expect(try await store.consumeResetToken("t-1", email: "o@b.c", newHashedPassword: "x").get() == nil)
            let changed = try #require(
                try await store.consumeResetToken("t-1", email: "a@b.c", newHashedPassword: TestVectors.hash2y).get())
            #expect(changed == User(id: user.id, email: "a@b.c", hashedPassword: TestVectors.hash2y))
            #expect(try await store.findUser(email: "a@b.c").get() == changed)
            #expect(try await store.findUser(sessionID: "s-1").get() == nil)
            // Single use.
            #expect(try await store.consumeResetToken("t-1", email: "a@b.c", newHashedPassword: hash).get() == nil)
            #expect(try await store.findUser(email: "a@b.c").get()?.hashedPassword == TestVectors.hash2y)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentConsumersOfOneTokenSucceedOnce(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.issueResetToken(email: "a@b.c", token: "t-1", createdAt: 1).get()
            let winners = Counter()
            let done = DispatchGroup()
            for index in 0..<20 {
                done.enter()
                store.consumeResetToken(SecretKey(stored: "t-1"), email: "a@b.c", newHashedPassword: "h\(index)") { result in
                    if case .success(.some) = result { winners.increment() }
                    done.leave()
                }
            }
            done.wait()
            #expect(winners.value == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentRegistrationsOfOneEmailAddOneUser(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let added = Counter()
            let refused = Counter()
            let done = DispatchGroup()
            for _ in 0..<20 {
                done.enter()
                store.addUser(email: "a@b.c", hashedPassword: "h") { result in
                    switch result {
                    case .success: added.increment()
                    case .failure(.duplicateEmail): refused.increment()
                    case .failure: break
                    }
                    done.leave()
                }
            }
            done.wait()
            #expect(added.value == 1 && refused.value == 19)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aKeyMatchesTheStoredFormOrTheLegacyRawValueAndNothingElse(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let digested = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let seedMade = try await store.addUser(email: "s@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(userID: digested.id, sessionID: "digest-1", createdAt: 1).get()
            _ = try await store.startSession(userID: seedMade.id, sessionID: "raw-2", createdAt: 1).get()
            #expect(try await store.findUser(sessionKey: SecretKey(stored: "digest-1", legacy: "raw-1")).get()?.id == digested.id)
            #expect(try await store.findUser(sessionKey: SecretKey(stored: "digest-2", legacy: "raw-2")).get()?.id == seedMade.id)
            #expect(try await store.findUser(sessionKey: SecretKey(stored: "digest-2")).get() == nil)
            #expect(try await store.findUser(sessionKey: SecretKey(stored: "other", legacy: "none")).get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aClosedStoreAnswersClosedAndChangesNothing(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            store.close()
            #expect(await store.addUser(email: "b@b.c", hashedPassword: hash).failure == .closed)
            #expect(await store.findUser(email: "a@b.c").failure == .closed)
        }
    }
}
