import Testing

@testable import AuthService

/// The session persister's contract on every store (as Kratos runs its persister tests on each
/// database): sessions per device, their limit, their handles, and the seed's column kept in step.
@Suite struct SessionPersisterContractTests {
    private let hash = TestVectors.hash2b

    /// A session of `userID` made and last seen at `time`, from a client of its own.
    private func session(
        _ userID: Int64, at time: Int64, handle: Int64, assurance: AssuranceLevel = .password
    ) -> Session {
        Session(
            handle: SessionHandle(rawValue: handle), userID: userID, createdAt: time, lastSeenAt: time,
            address: "192.0.2.\(handle)", userAgent: "agent \(handle)", assurance: assurance)
    }

    /// seed@b.c, holding a session as the seed's service writes it: the raw id `raw-seed-id` in the
    /// column, no row of authd's.
    private func seedSessionUser(_ store: any UserStore) async throws -> User {
        let rows = [User(id: 1, email: "seed@b.c", hashedPassword: hash, sessionID: "raw-seed-id")]
        _ = try await withCheckedContinuation { done in
            store.copyUsers(rows) { done.resume(returning: $0) }
        }.get()
        return try #require(try await store.findUser(email: "seed@b.c").get())
    }

    @Test(arguments: StoreKind.allCases)
    func aUserKeepsSessionsUpToTheLimitAndTheLeastRecentlySeenGoesFirst(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            #expect(
                try await store.startSession(session(user.id, at: 10, handle: 1), storedID: "s-1", limit: 3).get() == []
            )
            #expect(
                try await store.startSession(session(user.id, at: 20, handle: 2), storedID: "s-2", limit: 3).get() == []
            )
            #expect(
                try await store.startSession(session(user.id, at: 30, handle: 3), storedID: "s-3", limit: 3).get() == []
            )
            // The oldest was used last: the second is now the least recently seen.
            #expect(try await store.touchSession(SessionHandle(rawValue: 1), at: 35).get())
            let evicted = try await store.startSession(session(user.id, at: 40, handle: 4), storedID: "s-4", limit: 3)
                .get()
            #expect(evicted == [SessionHandle(rawValue: 2)])
            #expect(try await store.findSession("s-2").get() == nil)
            for id in ["s-1", "s-3", "s-4"] { #expect(try await store.findSession(id).get()?.userID == user.id) }
            // A lower limit ends all but as many of the most recently seen, least recent first.
            let many = try await store.startSession(session(user.id, at: 50, handle: 5), storedID: "s-5", limit: 2)
                .get()
            #expect(many == [SessionHandle(rawValue: 3), SessionHandle(rawValue: 1)])
            #expect(try await store.sessions(ofUser: user.id).get().map(\.handle.rawValue) == [5, 4])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theLimitOfOneIsTheSeedsRule(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(session(user.id, at: 10, handle: 1), storedID: "s-1", limit: 1).get()
            let evicted = try await store.startSession(session(user.id, at: 20, handle: 2), storedID: "s-2", limit: 1)
                .get()
            #expect(evicted == [SessionHandle(rawValue: 1)])
            #expect(try await store.findSession("s-1").get() == nil)
            #expect(try await store.findUser(email: "a@b.c").get()?.sessionID == "s-2")
            #expect(try await store.sessions(ofUser: user.id).get().count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theSeedsColumnHoldsTheNewestSessionAndIsClearedWithIt(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(session(user.id, at: 10, handle: 1), storedID: "s-1", limit: 5).get()
            _ = try await store.startSession(session(user.id, at: 20, handle: 2), storedID: "s-2", limit: 5).get()
            let row = try #require(try await store.findUser(email: "a@b.c").get())
            #expect(row.sessionID == "s-2" && row.sessionCreatedAt == 20)
            // Ending an older one leaves the column; ending the newest clears it, and it stays ended.
            #expect(try await store.endSession(SessionHandle(rawValue: 1), ofUser: user.id).get())
            #expect(try await store.findUser(email: "a@b.c").get()?.sessionID == "s-2")
            let ended = try #require(try await store.endSession(key: SecretKey(stored: "s-2")).get())
            #expect(ended.handle == SessionHandle(rawValue: 2) && ended.user.sessionID == "s-2")
            #expect(ended.user.sessionCreatedAt == 20)
            #expect(try await store.findUser(email: "a@b.c").get()?.sessionID == nil)
            #expect(try await store.findSession("s-2").get() == nil)
            #expect(try await store.findUser(sessionID: "s-2").get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aLookupNamesTheSessionsHandleTimesAndLevel(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(session(user.id, at: 10, handle: -7), storedID: "s-1", limit: 2).get()
            _ = try await store.startSession(session(user.id, at: 20, handle: 8), storedID: "s-2", limit: 2).get()
            #expect(try await store.touchSession(SessionHandle(rawValue: -7), at: 30).get())
            #expect(
                try await store.findSession("s-1").get()
                    == SessionHolder(
                        userID: user.id, email: "a@b.c", sessionCreatedAt: 10, handle: SessionHandle(rawValue: -7),
                        lastSeenAt: 30, assurance: .password))
            // An older time never moves it back.
            #expect(try await store.touchSession(SessionHandle(rawValue: -7), at: 25).get())
            #expect(try await store.findSession("s-1").get()?.lastSeenAt == 30)
            #expect(try await store.findUser(sessionID: "s-1").get()?.id == user.id)
            #expect(try await store.touchSession(SessionHandle(rawValue: 99), at: 25).get() == false)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aListHoldsTheUsersOwnSessionsNewestFirstWithTheirClients(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let other = try await store.addUser(email: "o@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(session(user.id, at: 10, handle: 1), storedID: "s-1", limit: 5).get()
            _ = try await store.startSession(session(other.id, at: 15, handle: 9), storedID: "o-1", limit: 5).get()
            _ = try await store.startSession(session(user.id, at: 20, handle: 2), storedID: "s-2", limit: 5).get()
            let listed = try await store.sessions(ofUser: user.id).get()
            #expect(listed == [session(user.id, at: 20, handle: 2), session(user.id, at: 10, handle: 1)])
            #expect(try await store.sessions(ofUser: 4242).get() == [])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aHandleEndsOnlyItsOwnersSession(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let other = try await store.addUser(email: "o@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(session(user.id, at: 10, handle: 1), storedID: "s-1", limit: 5).get()
            _ = try await store.startSession(session(other.id, at: 15, handle: 9), storedID: "o-1", limit: 5).get()
            #expect(try await store.endSession(SessionHandle(rawValue: 9), ofUser: user.id).get() == false)
            #expect(try await store.findSession("o-1").get()?.userID == other.id)
            #expect(try await store.findUser(email: "o@b.c").get()?.sessionID == "o-1")
            #expect(try await store.endSession(SessionHandle(rawValue: 1), ofUser: user.id).get())
            #expect(try await store.endSession(SessionHandle(rawValue: 1), ofUser: user.id).get() == false)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func endingOthersKeepsOneAndEndingAllLeavesNone(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let other = try await store.addUser(email: "o@b.c", hashedPassword: hash).get()
            for handle in Int64(1)...3 {
                _ = try await store.startSession(
                    session(user.id, at: handle * 10, handle: handle), storedID: "s-\(handle)", limit: 5
                ).get()
            }
            _ = try await store.startSession(session(other.id, at: 15, handle: 9), storedID: "o-1", limit: 5).get()
            let others = try await store.endSessions(ofUser: user.id, keeping: SessionHandle(rawValue: 1)).get()
            #expect(Set(others) == [SessionHandle(rawValue: 2), SessionHandle(rawValue: 3)])
            #expect(try await store.findSession("s-1").get()?.userID == user.id)
            #expect(try await store.findSession("s-3").get() == nil)
            // The column named the newest, now ended: it no longer finds anyone.
            #expect(try await store.findUser(email: "a@b.c").get()?.sessionID == nil)
            #expect(try await store.endSessions(ofUser: user.id, keeping: nil).get() == [SessionHandle(rawValue: 1)])
            #expect(try await store.findSession("s-1").get() == nil)
            #expect(try await store.findSession("o-1").get()?.userID == other.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func endingOthersKeepsTheColumnWhenItNamesTheKeptSession(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(session(user.id, at: 10, handle: 1), storedID: "s-1", limit: 5).get()
            _ = try await store.startSession(session(user.id, at: 20, handle: 2), storedID: "s-2", limit: 5).get()
            _ = try await store.endSessions(ofUser: user.id, keeping: SessionHandle(rawValue: 2)).get()
            #expect(try await store.findUser(email: "a@b.c").get()?.sessionID == "s-2")
            #expect(try await store.findSession("s-2").get()?.handle == SessionHandle(rawValue: 2))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRenewedSessionKeepsItsHandleUnderANewIdAndLevel(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            let other = try await store.addUser(email: "o@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(session(user.id, at: 10, handle: 1), storedID: "s-1", limit: 5).get()
            let handle = SessionHandle(rawValue: 1)
            #expect(
                try await store.renewSession(handle, ofUser: other.id, storedID: "x", assurance: .secondFactor).get()
                    == false)
            #expect(
                try await store.renewSession(handle, ofUser: user.id, storedID: "s-1b", assurance: .secondFactor).get())
            #expect(try await store.findSession("s-1").get() == nil)
            let renewed = try #require(try await store.findSession("s-1b").get())
            #expect(renewed.handle == handle && renewed.assurance == .secondFactor && renewed.sessionCreatedAt == 10)
            #expect(try await store.findUser(email: "a@b.c").get()?.sessionID == "s-1b")
            #expect(try await store.sessions(ofUser: user.id).get().map(\.assurance) == [.secondFactor])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func removalPasswordChangesAndLogoutEverywhereEndEverySession(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let users = [
                try await store.addUser(email: "remove@b.c", hashedPassword: hash).get(),
                try await store.addUser(email: "admin-set@b.c", hashedPassword: hash).get(),
                try await store.addUser(email: "logout@b.c", hashedPassword: hash).get(),
                try await store.addUser(email: "reset@b.c", hashedPassword: hash).get(),
            ]
            for (index, user) in users.enumerated() {
                for device in Int64(0)..<2 {
                    let handle = Int64(index) * 10 + device
                    _ = try await store.startSession(
                        session(user.id, at: handle, handle: handle), storedID: "s-\(handle)", limit: 5
                    ).get()
                }
            }
            _ = try await store.issueResetToken(email: "reset@b.c", token: "t", createdAt: 1).get()
            _ = try await store.deleteUser(id: users[0].id).get()
            _ = try await withCheckedContinuation { done in
                store.setPasswordHash(email: "admin-set@b.c", to: TestVectors.hash2a) { done.resume(returning: $0) }
            }.get()
            _ = try await withCheckedContinuation { done in
                store.endSessions(email: "logout@b.c") { done.resume(returning: $0) }
            }.get()
            _ = try await store.consumeResetToken("t", email: "reset@b.c", newHashedPassword: TestVectors.hash2a).get()
            for handle in [0, 1, 10, 11, 20, 21, 30, 31] {
                #expect(try await store.findSession("s-\(handle)").get() == nil, "session s-\(handle)")
            }
            for user in users { #expect(try await store.sessions(ofUser: user.id).get() == []) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aResetThatKeepsSessionsLeavesThemAll(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let user = try await store.addUser(email: "a@b.c", hashedPassword: hash).get()
            _ = try await store.startSession(session(user.id, at: 10, handle: 1), storedID: "s-1", limit: 5).get()
            _ = try await store.startSession(session(user.id, at: 20, handle: 2), storedID: "s-2", limit: 5).get()
            _ = try await store.issueResetToken(email: "a@b.c", token: "t", createdAt: 30).get()
            let changed = try await withCheckedContinuation { done in
                store.consumeResetToken(
                    SecretKey(stored: "t"), email: "a@b.c", newHashedPassword: TestVectors.hash2a,
                    endingSessions: false
                ) { done.resume(returning: $0) }
            }.get()
            #expect(changed?.hashedPassword == TestVectors.hash2a && changed?.resetToken == nil)
            #expect(changed?.sessionID == "s-2")
            #expect(try await store.findSession("s-1").get()?.userID == user.id)
            #expect(try await store.findSession("s-2").get()?.userID == user.id)
            #expect(try await store.findUser(email: "a@b.c").get()?.sessionID == "s-2")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionOnlyTheSeedsColumnHoldsWorksWithoutAHandleAndEndsWithTheOthers(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let seed = try await seedSessionUser(store)
            let key = SecretKey(stored: "digest-of-it", legacy: "raw-seed-id")
            let holder = try #require(try await store.findSession(key).get())
            #expect(holder.userID == seed.id && holder.handle == nil && holder.assurance == .password)
            #expect(try await store.sessions(ofUser: seed.id).get() == [])
            #expect(try await store.endSessions(ofUser: seed.id, keeping: nil).get() == [])
            #expect(try await store.findSession(key).get() == nil)
            #expect(try await store.findUser(email: "seed@b.c").get()?.sessionID == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionOnlyTheSeedsColumnHoldsIsNoneOfAUserWhoseSecondFactorIsOn(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let seed = try await seedSessionUser(store)
            let key = SecretKey(stored: "digest-of-it", legacy: "raw-seed-id")
            let secret = SealedSecret(keyID: "0badc0de", sealed: "aa11")
            #expect(try await store.setPendingTOTP(userID: seed.id, secret: secret).get())
            // Pending is not on: the password is still all this user proves anywhere.
            #expect(try await store.findSession(key).get()?.userID == seed.id)
            #expect(try await store.enableTOTP(userID: seed.id, secret: secret, step: 1, recoveryCodeDigests: []).get())
            #expect(try await store.findSession(key).get() == nil)
            // authd's own sessions of the user are found as before, at their level.
            _ = try await store.startSession(
                session(seed.id, at: 1, handle: 7, assurance: .secondFactor), storedID: "s-1", limit: 3
            ).get()
            #expect(try await store.findSession("s-1").get()?.assurance == .secondFactor)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionOnlyTheSeedsColumnHoldsEndsByItsIdWithoutAHandle(_ kind: StoreKind) async throws {
        try await kind.with { store in
            _ = try await seedSessionUser(store)
            let ended = try #require(
                try await store.endSession(key: SecretKey(stored: "digest-of-it", legacy: "raw-seed-id")).get())
            #expect(ended.handle == nil && ended.user.email == "seed@b.c" && ended.user.sessionID == "raw-seed-id")
            #expect(try await store.findUser(email: "seed@b.c").get()?.sessionID == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aStartForAMissingUserAddsNoSession(_ kind: StoreKind) async throws {
        try await kind.with { store in
            let started = try await store.startSession(session(42, at: 1, handle: 1), storedID: "s-1", limit: 3).get()
            #expect(started == nil)
            #expect(try await store.sessions(ofUser: 42).get() == [])
            #expect(try await store.findSession("s-1").get() == nil)
        }
    }
}
