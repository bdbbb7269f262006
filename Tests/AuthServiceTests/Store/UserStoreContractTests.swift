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
    func anEmailEqualIgnoringCaseFindsTheOneUserWithIt(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "Victim@x.test", hashedPassword: hash).get()
            #expect(try await store.findUser(emailIgnoringCase: "victim@x.test").get() == user)
            #expect(try await store.findUser(emailIgnoringCase: "VICTIM@X.TEST").get() == user)
            #expect(try await store.findUser(emailIgnoringCase: "Victim@x.test").get() == user)
            #expect(try await store.findUser(emailIgnoringCase: "victim@y.test").get() == nil)
            #expect(try await store.findUser(emailIgnoringCase: "victim@x.tes").get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func severalEmailsDifferingOnlyByCaseFindNobodyIgnoringCase(_ kind: StoreKind) async throws {
        try await kind.with { store in
            // As a seed-made file may hold them: only their exact spellings find them.
            let upper = try await store.addUser(email: "Dup@x.test", hashedPassword: hash).get()
            let lower = try await store.addUser(email: "dup@x.test", hashedPassword: TestVectors.hash2a).get()
            #expect(try await store.findUser(emailIgnoringCase: "DUP@x.test").get() == nil)
            #expect(try await store.findUser(emailIgnoringCase: "dup@x.test").get() == nil)
            #expect(try await store.findUser(email: "Dup@x.test").get() == upper)
            #expect(try await store.findUser(email: "dup@x.test").get() == lower)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func ignoringCaseFoldsASCIILettersOnly(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "\u{C9}mile@x.test", hashedPassword: hash).get()  // Émile
            _ = try await store.addUser(email: "stra\u{DF}e@x.test", hashedPassword: hash).get()  // straße
            _ = try await store.addUser(email: "kelvin@x.test", hashedPassword: hash).get()
            #expect(try await store.findUser(emailIgnoringCase: "\u{E9}mile@x.test").get() == nil)
            #expect(
                try await store.findUser(emailIgnoringCase: "\u{C9}MILE@X.TEST").get()?.email == "\u{C9}mile@x.test")
            #expect(try await store.findUser(emailIgnoringCase: "strasse@x.test").get() == nil)
            #expect(try await store.findUser(emailIgnoringCase: "\u{212A}elvin@x.test").get() == nil)  // Kelvin sign
            // So registrations that differ by a non-ASCII case are distinct users in both stores.
            #expect(
                await store.addUser(email: "\u{E9}mile@x.test", hashedPassword: hash, unique: .ignoringCase).value
                    != nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func addingUniqueIgnoringCaseRefusesACaseVariantAndAddsNothing(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let first = try await store.addUser(email: "victim@x.test", hashedPassword: hash, unique: .ignoringCase)
                .get()
            for variant in ["victim@x.test", "VICTIM@x.test", "Victim@X.test"] {
                #expect(
                    await store.addUser(email: variant, hashedPassword: TestVectors.hash2a, unique: .ignoringCase)
                        .failure
                        == .duplicateEmail)
            }
            #expect(try await store.findUser(emailIgnoringCase: "VICTIM@X.TEST").get() == first)
            #expect(try await store.findUser(email: "VICTIM@x.test").get() == nil)
            #expect(
                try await store.addUser(email: "other@x.test", hashedPassword: hash, unique: .ignoringCase).get().id
                    != first.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentRegistrationsOfCaseVariantsAddOneUser(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let added = Counter()
            let refused = Counter()
            let done = DispatchGroup()
            let spellings = ["race@b.c", "RACE@b.c", "Race@B.C", "rAcE@b.C"]
            for index in 0..<20 {
                done.enter()
                store.addUser(email: spellings[index % spellings.count], hashedPassword: "h", unique: .ignoringCase) {
                    result in
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
    func aPasswordHashIsReplacedOnlyIfItIsStillTheOneGiven(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 5).get()
            _ = try await store.issueResetToken(email: "a@b.c", token: "t-1", createdAt: 6).get()
            #expect(
                try await store.replacePasswordHash(userID: user.id, from: TestVectors.hash2a, to: TestVectors.hash2y)
                    .get() == false)
            #expect(
                try await store.replacePasswordHash(userID: user.id + 1, from: hash, to: TestVectors.hash2y).get()
                    == false)
            #expect(try await store.findUser(email: "a@b.c").get()?.hashedPassword == hash)
            #expect(try await store.replacePasswordHash(userID: user.id, from: hash, to: TestVectors.hash2y).get())
            // Only the hash: the session and the reset token stay.
            let after = try #require(try await store.findUser(email: "a@b.c").get())
            #expect(
                after
                    == User(
                        id: user.id, email: "a@b.c", hashedPassword: TestVectors.hash2y, sessionID: "s-1",
                        resetToken: "t-1",
                        sessionCreatedAt: 5, resetTokenCreatedAt: 6))
            // The old hash is no longer there to replace: a second upgrade from it loses.
            #expect(
                try await store.replacePasswordHash(userID: user.id, from: hash, to: TestVectors.hash2a).get() == false)
            #expect(try await store.findUser(email: "a@b.c").get()?.hashedPassword == TestVectors.hash2y)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentUpgradesOfOneHashReplaceItOnce(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let winners = Counter()
            let done = DispatchGroup()
            for index in 0..<20 {
                done.enter()
                store.replacePasswordHash(userID: user.id, from: hash, to: "h\(index)") { result in
                    if case .success(true) = result { winners.increment() }
                    done.leave()
                }
            }
            done.wait()
            #expect(winners.value == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theNewestPasswordHashesComeNewestFirst(_ kind: StoreKind) async throws {
        try await kind.with { store in
            #expect(try await store.newestPasswordHashes(limit: 3).get() == [])
            for (index, hashed) in [hash, TestVectors.hash2a, TestVectors.hash2y].enumerated() {
                _ = try await store.addUser(email: "u\(index)@b.c", hashedPassword: hashed).get()
            }
            #expect(try await store.newestPasswordHashes(limit: 2).get() == [TestVectors.hash2y, TestVectors.hash2a])
            #expect(
                try await store.newestPasswordHashes(limit: 10).get() == [TestVectors.hash2y, TestVectors.hash2a, hash])
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
    func aSessionLookupNamesItsHolderAndWhenTheSessionWasMade(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let other = try await store.addUser(email: "o@b.c", hashedPassword: hash).get()
            #expect(try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 1_000).get())
            #expect(try await store.startSession(userID: other.id, sessionID: "s-other", createdAt: 5).get())
            let holder = try #require(try await store.findSession("s-1").get())
            #expect(holder.userID == user.id && holder.email == "a@b.c" && holder.sessionCreatedAt == 1_000)
            #expect(holder.lastSeenAt == 1_000 && holder.handle != nil && holder.assurance == .password)
            #expect(try await store.findSession("s-other").get()?.userID == other.id)
            #expect(try await store.findSession("s-unknown").get() == nil)

            #expect(try await store.startSession(userID: user.id, sessionID: "s-2", createdAt: 2_000).get())
            #expect(try await store.findSession("s-1").get() == nil)
            #expect(try await store.findSession("s-2").get()?.sessionCreatedAt == 2_000)
            _ = try await store.endSession("s-2").get()
            #expect(try await store.findSession("s-2").get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionLookupFindsASeedMadeRowByItsRawValueOnlyWhenAsked(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.copyUsers(copiedRows).get()
            let seedSession = try #require(copiedRows[2].sessionID)
            let seed = try #require(try await store.findUser(email: "seed@b.c").get())
            #expect(
                try await store.findSession(SecretKey(stored: "x", legacy: seedSession)).get()
                    == SessionHolder(userID: seed.id, email: "seed@b.c", sessionCreatedAt: nil))
            #expect(try await store.findSession(SecretKey(stored: "x")).get() == nil)
            // The stored form wins over a legacy value that names another row.
            #expect(
                try await store.findSession(SecretKey(stored: "digest-s", legacy: seedSession)).get()?.email
                    == "Alice@b.c")
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
                store.consumeResetToken(
                    SecretKey(stored: "t-1"), email: "a@b.c", newHashedPassword: "h\(index)", endingSessions: true
                ) {
                    result in
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
            #expect(
                try await store.findUser(sessionKey: SecretKey(stored: "digest-1", legacy: "raw-1")).get()?.id
                    == digested.id)
            #expect(
                try await store.findUser(sessionKey: SecretKey(stored: "digest-2", legacy: "raw-2")).get()?.id
                    == seedMade.id)
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

    @Test(arguments: StoreKind.allCases)
    func aClosedStoreAnswersClosedToTheCaseAndHashOperations(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            store.close()
            #expect(await store.addUser(email: "b@b.c", hashedPassword: hash, unique: .ignoringCase).failure == .closed)
            #expect(await store.findUser(emailIgnoringCase: "A@b.c").failure == .closed)
            #expect(
                await store.replacePasswordHash(userID: user.id, from: hash, to: TestVectors.hash2a).failure == .closed)
            #expect(await store.newestPasswordHashes(limit: 1).failure == .closed)
        }
    }

    // MARK: operator operations (`authd users …`, `authd import`)

    @Test(arguments: StoreKind.allCases)
    func listingGivesEveryUserOldestFirst(_ kind: StoreKind) async throws {
        try await kind.with { store in
            #expect(try await store.listUsers().get() == [])
            let first = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let second = try await store.addUser(email: "d@e.f", hashedPassword: TestVectors.hash2a).get()
            _ = try await store.startSession(userID: second.id, sessionID: "s-1", createdAt: 7).get()
            let listed = try await store.listUsers().get()
            #expect(listed.map(\.email) == [first.email, second.email])
            #expect(listed[1].sessionID == "s-1")
            #expect(listed[1].sessionCreatedAt == 7)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletingAUserFreesItsEmailAndTouchesNoOther(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let other = try await store.addUser(email: "d@e.f", hashedPassword: hash).get()
            #expect(try await store.deleteUser(id: other.id + 1).get() == nil)
            #expect(try await store.deleteUser(id: user.id).get() == user)
            #expect(try await store.findUser(email: "a@b.c").get() == nil)
            #expect(try await store.deleteUser(id: user.id).get() == nil)
            #expect(try await store.listUsers().get() == [other])
            #expect(await store.addUser(email: "a@b.c", hashedPassword: hash, unique: .ignoringCase).value != nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func endingSessionsByEmailClearsOnlyTheSession(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 5).get()
            _ = try await store.issueResetToken(email: "a@b.c", token: "t-1", createdAt: 6).get()
            let before = try #require(try await store.endSessions(email: "a@b.c").get())
            #expect(before.sessionID == "s-1")
            #expect(try await store.findUser(sessionID: "s-1").get() == nil)
            let after = try #require(try await store.findUser(email: "a@b.c").get())
            #expect(after.sessionID == nil)
            #expect(after.sessionCreatedAt == nil)
            #expect(after.resetToken == "t-1")
            #expect(try await store.endSessions(email: "a@b.c").get()?.sessionID == nil)
            #expect(try await store.endSessions(email: "nobody@b.c").get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func settingAPasswordHashEndsTheSessionAndTheResetToken(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.issueResetToken(email: "a@b.c", token: "t-1", createdAt: 6).get()
            _ = try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 5).get()
            _ = try await store.issueResetToken(email: "a@b.c", token: "t-2", createdAt: 7).get()
            let changed = try #require(try await store.setPasswordHash(email: "a@b.c", to: TestVectors.hash2a).get())
            #expect(changed == User(id: user.id, email: "a@b.c", hashedPassword: TestVectors.hash2a))
            #expect(try await store.findUser(email: "a@b.c").get() == changed)
            #expect(try await store.setPasswordHash(email: "nobody@b.c", to: hash).get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func addingUsersTogetherSkipsTakenEmailsAndAddsTheRest(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "Taken@b.c", hashedPassword: hash).get()
            let added = try await store.addUsers(
                [
                    NewUser(email: "new@b.c", hashedPassword: TestVectors.hash2a),
                    NewUser(email: "taken@b.c", hashedPassword: hash),
                    NewUser(email: "NEW@b.c", hashedPassword: hash),
                    NewUser(email: "other@b.c", hashedPassword: TestVectors.hash2y),
                ], unique: .ignoringCase
            ).get()
            #expect(added.map { $0?.email } == ["new@b.c", nil, nil, "other@b.c"])
            #expect(try await store.findUser(email: "new@b.c").get()?.hashedPassword == TestVectors.hash2a)
            #expect(try await store.findUser(email: "other@b.c").get() == added[3])
            #expect(try await store.listUsers().get().count == 3)
        }
    }

    /// Rows as `authd migrate` reads them from another file: a session and a token authd made
    /// (digests, with times) and ones the seed's service made (raw uuid4s, no times).
    private var copiedRows: [User] {
        [
            User(
                id: 7, email: "Alice@b.c", hashedPassword: hash, sessionID: "digest-s", sessionCreatedAt: 5,
                resetTokenCreatedAt: nil),
            User(
                id: 9, email: "bob@b.c", hashedPassword: TestVectors.hash2a, resetToken: "digest-t",
                resetTokenCreatedAt: 6),
            User(
                id: 12, email: "seed@b.c", hashedPassword: TestVectors.hash2y,
                sessionID: "0e7b3c1a-5d2f-4b8e-9a61-3f0c2d4e5b6a", resetToken: "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"),
        ]
    }

    @Test(arguments: StoreKind.allCases)
    func copyingUsersAddsWholeRowsUnderTheStoresOwnIDsAndASecondCopyFindsThemPresent(_ kind: StoreKind)
        async throws
    {
        try await kind.with { store in
            let earlier = try await store.addUser(email: "earlier@b.c", hashedPassword: hash).get()
            #expect(try await store.copyUsers(copiedRows).get() == [.added, .added, .added])
            for row in copiedRows {
                let stored = try #require(try await store.findUser(email: row.email).get())
                #expect(stored.holdsTheSameRow(as: row), "\(row.email)")
                #expect(stored.id > earlier.id)
            }
            // The session works as the one stored there; the token as well.
            #expect(try await store.findUser(sessionID: "digest-s").get()?.email == "Alice@b.c")
            #expect(
                try await store.findUser(sessionKey: SecretKey(stored: "x", legacy: copiedRows[2].sessionID)).get()?
                    .email == "seed@b.c")
            #expect(try await store.findUser(resetToken: "digest-t", email: "bob@b.c").get()?.email == "bob@b.c")
            // In the order given, after the users already there.
            #expect(
                try await store.listUsers().get().map(\.email) == ["earlier@b.c", "Alice@b.c", "bob@b.c", "seed@b.c"])

            #expect(try await store.copyUsers(copiedRows).get() == [.alreadyPresent, .alreadyPresent, .alreadyPresent])
            #expect(try await store.listUsers().get().count == 4)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRowDifferingFromTheStoredOneConflictsAndNoRowIsWritten(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let stored = try await store.addUser(email: "bob@b.c", hashedPassword: TestVectors.hash2a).get()
            _ = try await store.startSession(userID: stored.id, sessionID: "newer", createdAt: 8).get()
            let holding = try #require(try await store.findUser(email: "bob@b.c").get())
            #expect(
                try await store.copyUsers(copiedRows).get() == [.added, .conflict(.differs(stored: holding)), .added])
            #expect(try await store.findUser(email: "Alice@b.c").get() == nil)
            #expect(try await store.findUser(email: "seed@b.c").get() == nil)
            #expect(try await store.findUser(email: "bob@b.c").get() == holding)
            #expect(try await store.listUsers().get().count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aStoredCaseTwinOutsideTheRowsConflictsWhileTwinsAmongThemAreCopied(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let victim = try await store.addUser(email: "victim@x.test", hashedPassword: hash).get()
            #expect(
                try await store.copyUsers([User(id: 1, email: "Victim@x.test", hashedPassword: hash)]).get()
                    == [.conflict(.caseVariant(stored: victim))])
            // Twins the source itself holds (as a seed-made file may) are copied, each with its spelling.
            let twins = [
                User(id: 1, email: "Dup@x.test", hashedPassword: hash),
                User(id: 2, email: "dup@x.test", hashedPassword: TestVectors.hash2a),
            ]
            #expect(try await store.copyUsers(twins).get() == [.added, .added])
            #expect(try await store.copyUsers(twins).get() == [.alreadyPresent, .alreadyPresent])
            #expect(try await store.findUser(email: "dup@x.test").get()?.hashedPassword == TestVectors.hash2a)
            #expect(try await store.listUsers().get().map(\.email) == ["victim@x.test", "Dup@x.test", "dup@x.test"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rowsHoldingQuotesCommasBracesAndTheWordNULLAreCopiedIntact(_ kind: StoreKind) async throws {
        try await kind.with { store in
            // A seed-made file may hold any string: each must arrive as it was, in every backend.
            let odd = User(
                id: 1, email: #""a,b\"{c}"@x.test"#, hashedPassword: hash, sessionID: "NULL", resetToken: #"\N,"#)
            #expect(try await store.copyUsers([odd]).get() == [.added])
            let stored = try #require(try await store.findUser(email: odd.email).get())
            #expect(stored.holdsTheSameRow(as: odd))
            #expect(try await store.copyUsers([odd]).get() == [.alreadyPresent])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anEmailRepeatedAmongTheRowsConflictsAndNothingIsWritten(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let rows = [
                User(id: 1, email: "r@b.c", hashedPassword: hash),
                User(id: 2, email: "r@b.c", hashedPassword: hash),
            ]
            let outcomes = try await store.copyUsers(rows).get()
            #expect(outcomes == [.added, .conflict(.repeated)])
            #expect(try await store.listUsers().get().isEmpty)
            #expect(try await store.copyUsers([]).get() == [])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func operatorOperationsOnAClosedStoreFailClosed(_ kind: StoreKind) async throws {
        try await kind.with { store in
            store.close()
            #expect(await store.listUsers().failure == .closed)
            #expect(await store.deleteUser(id: 1).failure == .closed)
            #expect(await store.endSessions(email: "a@b.c").failure == .closed)
            #expect(await store.setPasswordHash(email: "a@b.c", to: hash).failure == .closed)
            #expect(
                await store.addUsers([NewUser(email: "a@b.c", hashedPassword: hash)], unique: .exact).failure == .closed
            )
            #expect(await store.copyUsers(copiedRows).failure == .closed)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aResetByMailStoresTheTokenAndQueuesItsMailTogether(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "bob@b.c", hashedPassword: hash).get()
            let mail = try #require(
                try await store.issueResetTokenByMail(.test("bob@b.c", token: "raw-1", at: 5_000)).get())
            #expect(
                mail
                    == OutboxMail(
                        id: mail.id, userID: user.id, recipient: "bob@b.c", token: "raw-1", requestedBy: "192.0.2.1",
                        createdAt: 5_000,
                        expiresAt: 905_000, attempts: 0, nextAttemptAt: 5_000))
            let row = try #require(try await store.findUser(email: "bob@b.c").get())
            #expect(row.resetToken == "stored-raw-1" && row.resetTokenCreatedAt == 5_000)
            #expect(try await store.findUser(resetToken: "stored-raw-1", email: "bob@b.c").get()?.id == user.id)
            #expect(
                try await store.pendingResetMails(dueAt: 5_000).get().unclaimed
                    == OutboxSnapshot(due: [mail], pending: 1, nextAttemptAt: nil))
        }
    }

    /// Each way a reset token is cleared, with the mail it must take along (its token would not work).
    enum TokenClearing: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case login, cleared, consumed, passwordSet, removed
        var testDescription: String { rawValue }
    }

    @Test(arguments: StoreKind.allCases, TokenClearing.allCases)
    func whateverClearsAResetTokenDropsItsPendingMail(_ kind: StoreKind, _ clearing: TokenClearing) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "bob@b.c", hashedPassword: hash).get()
            _ = try await store.addUser(email: "eve@b.c", hashedPassword: hash).get()
            _ = try #require(try await store.issueResetTokenByMail(.test("bob@b.c", token: "raw-1")).get())
            let other = try #require(try await store.issueResetTokenByMail(.test("eve@b.c", token: "raw-2")).get())
            switch clearing {
            case .login:
                #expect(try await store.startSession(userID: user.id, sessionID: "s-1", createdAt: 2_000).get())
            case .cleared:
                #expect(try await store.clearResetToken("stored-raw-1", email: "bob@b.c").get())
            case .consumed:
                let consumed = try await store.consumeResetToken(
                    "stored-raw-1", email: "bob@b.c", newHashedPassword: TestVectors.hash2a
                ).get()
                #expect(consumed?.id == user.id)
            case .passwordSet:
                #expect(try await store.setPasswordHash(email: "bob@b.c", to: TestVectors.hash2a).get()?.id == user.id)
            case .removed:
                #expect(try await store.deleteUser(id: user.id).get()?.id == user.id)
            }
            // Only bob's mail goes; eve still holds her token, and her mail.
            let pending = try await store.pendingResetMails(dueAt: nil).get()
            #expect(pending.due == [other] && pending.pending == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anAccountGetsAFewResetMailsAndARequestPastThemKeepsTheMailedToken(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "bob@b.c", hashedPassword: hash).get()
            let limit = ResetMailLimit(mails: 3, window: 900_000, interval: 60_000)
            func ask(_ email: String, _ token: String, at time: Int64) async throws -> OutboxMail? {
                try await store.issueResetTokenByMail(.test(email, token: token, at: time, limit: limit)).get()
            }
            let first = try #require(try await ask("bob@b.c", "raw-1", at: 1_000))
            // Within a minute, under any spelling of the account: nothing changes.
            #expect(try await ask("BOB@b.c", "raw-2", at: 2_000) == nil)
            #expect(try await ask("bob@b.c", "raw-3", at: 60_999) == nil)
            #expect(try await store.findUser(email: "bob@b.c").get()?.resetToken == "stored-raw-1")
            #expect(try await store.pendingResetMails(dueAt: nil).get().due == [first])
            // A minute apart, three per window; the fourth waits for the window to pass.
            #expect(try await ask("bob@b.c", "raw-4", at: 61_000)?.token == "raw-4")
            #expect(try await ask("Bob@B.c", "raw-5", at: 121_000)?.token == "raw-5")
            #expect(try await ask("bob@b.c", "raw-6", at: 181_000) == nil)
            #expect(try await ask("bob@b.c", "raw-7", at: 900_999) == nil)
            #expect(try await store.findUser(email: "bob@b.c").get()?.resetToken == "stored-raw-5")
            #expect(try await ask("bob@b.c", "raw-8", at: 901_000)?.token == "raw-8")
            // Without a limit, as the seed's own delivery has it, every request is a mail.
            #expect(try await store.issueResetTokenByMail(.test("bob@b.c", token: "raw-9", at: 901_001)).get() != nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anUnknownEmailQueuesNothingAndChangesNoUser(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let before = try await store.addUser(email: "bob@b.c", hashedPassword: hash).get()
            #expect(try await store.issueResetTokenByMail(.test("nobody@b.c")).get() == nil)
            #expect(try await store.findUser(email: "bob@b.c").get() == before)
            #expect(
                try await store.pendingResetMails(dueAt: nil).get().unclaimed
                    == OutboxSnapshot(due: [], pending: 0, nextAttemptAt: nil))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aResetByMailFindsTheUserIgnoringCaseAndMailsItsStoredSpelling(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "Bob@b.c", hashedPassword: hash).get()
            let mail = try #require(try await store.issueResetTokenByMail(.test("bob@b.c")).get())
            #expect(mail.userID == user.id && mail.recipient == "Bob@b.c")
            // Two spellings differing only by case, as a seed-made file may hold: neither is guessed.
            _ = try await store.addUser(email: "dup@b.c", hashedPassword: hash).get()
            _ = try await store.addUser(email: "DUP@b.c", hashedPassword: hash).get()
            #expect(try await store.issueResetTokenByMail(.test("Dup@b.c", token: "t-2")).get() == nil)
            #expect(try await store.issueResetTokenByMail(.test("DUP@b.c", token: "t-3")).get()?.recipient == "DUP@b.c")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aNewRequestReplacesTheUsersPendingMail(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "bob@b.c", hashedPassword: hash).get()
            _ = try await store.addUser(email: "eve@b.c", hashedPassword: hash).get()
            let first = try #require(
                try await store.issueResetTokenByMail(.test("bob@b.c", token: "t-1", at: 1_000)).get())
            let other = try #require(
                try await store.issueResetTokenByMail(.test("eve@b.c", token: "t-e", at: 1_500)).get())
            let second = try #require(
                try await store.issueResetTokenByMail(.test("bob@b.c", token: "t-2", at: 2_000)).get())
            #expect(second.id != first.id)
            let pending = try await store.pendingResetMails(dueAt: nil).get()
            #expect(pending.due == [other, second])
            #expect(try await store.findUser(email: "bob@b.c").get()?.resetToken == "stored-t-2")
            #expect(try await store.removeResetMail(id: first.id).get() == false)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pendingMailsComeSoonestFirstWithTheCountAndTheNextAttempt(_ kind: StoreKind) async throws {
        try await kind.with { store in
            var mails: [OutboxMail] = []
            for index in 0..<4 {
                _ = try await store.addUser(email: "u\(index)@b.c", hashedPassword: hash).get()
                mails.append(
                    try #require(try await store.issueResetTokenByMail(.test("u\(index)@b.c", at: 1_000)).get()))
            }
            #expect(try await store.deferResetMail(id: mails[0].id, attempts: 1, nextAttemptAt: 9_000).get())
            #expect(try await store.deferResetMail(id: mails[1].id, attempts: 2, nextAttemptAt: 5_000).get())
            mails[0].attempts = 1
            mails[0].nextAttemptAt = 9_000
            mails[1].attempts = 2
            mails[1].nextAttemptAt = 5_000
            #expect(
                try await store.pendingResetMails(dueAt: 1_000).get().unclaimed
                    == OutboxSnapshot(
                        due: [mails[2], mails[3]], pending: 4, nextAttemptAt: 5_000))
            if kind.claimsPendingMails {
                // Claimed for the lease: a second look, here or on another node, finds the rest only.
                #expect(try await store.pendingResetMails(dueAt: 6_000).get().due == [mails[1]])
                #expect(try await store.pendingResetMails(dueAt: nil).get().due == [mails[0]])
                #expect(try await store.pendingResetMails(dueAt: nil).get().due == [])
                return
            }
            #expect(
                try await store.pendingResetMails(dueAt: 1_000, limit: 1).get().unclaimed
                    == OutboxSnapshot(
                        due: [mails[2]], pending: 4, nextAttemptAt: 1_000))
            #expect(try await store.pendingResetMails(dueAt: 6_000).get().due == [mails[2], mails[3], mails[1]])
            #expect(
                try await store.pendingResetMails(dueAt: nil).get().unclaimed
                    == OutboxSnapshot(
                        due: [mails[2], mails[3], mails[1], mails[0]], pending: 4, nextAttemptAt: nil))
            #expect(
                try await store.pendingResetMails(dueAt: 1_000, limit: 0).get().unclaimed
                    == OutboxSnapshot(
                        due: [], pending: 4, nextAttemptAt: 1_000))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRemovedMailIsGoneWithItsTokenAndCannotBeDeferred(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "bob@b.c", hashedPassword: hash).get()
            let mail = try #require(try await store.issueResetTokenByMail(.test("bob@b.c")).get())
            #expect(try await store.removeResetMail(id: mail.id).get())
            #expect(try await store.removeResetMail(id: mail.id).get() == false)
            #expect(try await store.deferResetMail(id: mail.id, attempts: 1, nextAttemptAt: 2).get() == false)
            #expect(try await store.pendingResetMails(dueAt: nil).get().pending == 0)
            // The token itself stays usable on the user row until it expires: the mail carried it.
            #expect(try await store.findUser(resetToken: "stored-t-1", email: "bob@b.c").get() != nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aClosedStoreAnswersClosedToTheOutboxOperations(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await store.addUser(email: "bob@b.c", hashedPassword: hash).get()
            store.close()
            #expect(await store.issueResetTokenByMail(.test("bob@b.c")).failure == .closed)
            #expect(await store.pendingResetMails(dueAt: nil).failure == .closed)
            #expect(await store.deferResetMail(id: 1, attempts: 1, nextAttemptAt: 1).failure == .closed)
            #expect(await store.removeResetMail(id: 1).failure == .closed)
        }
    }
}

extension OutboxSnapshot {
    /// The snapshot without its claim, which only claiming stores give (their own tests check it).
    var unclaimed: OutboxSnapshot {
        var copy = self
        copy.claimedUntil = nil
        return copy
    }
}
