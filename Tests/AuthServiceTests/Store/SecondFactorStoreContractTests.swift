import Testing

@testable import AuthService

/// The second-factor store's contract, run against every implementation: pending and enabled
/// secrets, recovery-code digests used once, and steps claimed once, also by two stores at once.
@Suite struct SecondFactorStoreContractTests {
    private let first = SealedSecret(keyID: "0badc0de", sealed: "aa11")
    private let second = SealedSecret(keyID: "0badc0de", sealed: "bb22")
    private let digests = (0..<10).map { SecretDigest.sha256Hex("code \($0)") }

    private func user(_ store: any UserAndSecondFactorStore, _ email: String = "a@b.c") async throws -> User {
        try await store.addUser(email: email, hashedPassword: TestVectors.hash2b).get()
    }

    @Test(arguments: StoreKind.allCases)
    func aPendingSecretIsReplacedByANewerOneAndEnabledOnlyAsItIs(_ kind: StoreKind) async throws {
        try await kind.withSecondFactors { store in
            let user = try await user(store)
            #expect(try await store.findTOTP(userID: user.id).get() == nil)
            #expect(try await store.setPendingTOTP(userID: user.id, secret: first).get())
            #expect(
                try await store.findTOTP(userID: user.id).get()
                    == TOTPRecord(userID: user.id, secret: first, isEnabled: false, lastStep: nil, recoveryCodesLeft: 0)
            )
            #expect(try await store.setPendingTOTP(userID: user.id, secret: second).get())
            // The first enrolment's confirmation comes too late: a newer secret is pending.
            #expect(
                try await !store.enableTOTP(userID: user.id, secret: first, step: 10, recoveryCodeDigests: digests)
                    .get())
            #expect(
                try await store.enableTOTP(userID: user.id, secret: second, step: 10, recoveryCodeDigests: digests)
                    .get())
            #expect(
                try await store.findTOTP(userID: user.id).get()
                    == TOTPRecord(userID: user.id, secret: second, isEnabled: true, lastStep: 10, recoveryCodesLeft: 10)
            )
            #expect(try await store.usersWithTOTP().get() == [user.id])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theKeyIDsAreThoseOfEnabledSecretsOnly(_ kind: StoreKind) async throws {
        try await kind.withSecondFactors { store in
            let alice = try await user(store, "alice@b.c")
            let bob = try await user(store, "bob@b.c")
            let carol = try await user(store, "carol@b.c")
            let older = SealedSecret(keyID: "feedf00d", sealed: "cc33")
            let pending = SealedSecret(keyID: "abad1dea", sealed: "dd44")
            #expect(try await store.totpKeyIDs().get().isEmpty)
            for (user, secret) in [(alice, first), (bob, older)] {
                _ = try await store.setPendingTOTP(userID: user.id, secret: secret).get()
                _ = try await store.enableTOTP(userID: user.id, secret: secret, step: 1, recoveryCodeDigests: []).get()
            }
            _ = try await store.setPendingTOTP(userID: carol.id, secret: pending).get()
            #expect(try await store.totpKeyIDs().get() == ["0badc0de", "feedf00d"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anEnabledSecretIsNeverReplacedByAnEnrolment(_ kind: StoreKind) async throws {
        try await kind.withSecondFactors { store in
            let user = try await user(store)
            _ = try await store.setPendingTOTP(userID: user.id, secret: first).get()
            _ = try await store.enableTOTP(userID: user.id, secret: first, step: 1, recoveryCodeDigests: digests).get()
            #expect(try await !store.setPendingTOTP(userID: user.id, secret: second).get())
            #expect(
                try await !store.enableTOTP(userID: user.id, secret: first, step: 2, recoveryCodeDigests: []).get())
            #expect(try await store.findTOTP(userID: user.id).get()?.secret == first)
            // Nobody to enrol.
            #expect(try await !store.setPendingTOTP(userID: user.id + 100, secret: first).get())
            #expect(try await store.findTOTP(userID: user.id + 100).get() == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func stepsAreClaimedOnceAndOnlyForward(_ kind: StoreKind) async throws {
        try await kind.withSecondFactors { store in
            let user = try await user(store)
            _ = try await store.setPendingTOTP(userID: user.id, secret: first).get()
            // A pending secret claims nothing: only enabling does, with its confirming step.
            #expect(try await !store.claimTOTPStep(userID: user.id, step: 99).get())
            _ = try await store.enableTOTP(userID: user.id, secret: first, step: 100, recoveryCodeDigests: digests)
                .get()
            #expect(try await !store.claimTOTPStep(userID: user.id, step: 100).get())
            #expect(try await store.claimTOTPStep(userID: user.id, step: 101).get())
            #expect(try await !store.claimTOTPStep(userID: user.id, step: 101).get())
            // A code of an earlier step is refused once a later one was accepted.
            #expect(try await !store.claimTOTPStep(userID: user.id, step: 100).get())
            #expect(try await store.claimTOTPStep(userID: user.id, step: 103).get())
            #expect(try await store.findTOTP(userID: user.id).get()?.lastStep == 103)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentClaimsOfOneStepHaveExactlyOneWinner(_ kind: StoreKind) async throws {
        try await kind.withSecondFactors { store in
            let user = try await user(store)
            _ = try await store.setPendingTOTP(userID: user.id, secret: first).get()
            _ = try await store.enableTOTP(userID: user.id, secret: first, step: 1, recoveryCodeDigests: digests).get()
            let wins = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<16 {
                    group.addTask { (try? await store.claimTOTPStep(userID: user.id, step: 2).get()) == true }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }

    @Test(arguments: [StoreKind.sqlite, .postgresql])
    func twoStoresOnOneDatabaseCannotBothClaimAStepOrUseACode(_ kind: StoreKind) async throws {
        try await kind.withTwoStoresOnOneDatabase { one, other in
            let user = try await user(one)
            _ = try await one.setPendingTOTP(userID: user.id, secret: first).get()
            _ = try await one.enableTOTP(userID: user.id, secret: first, step: 1, recoveryCodeDigests: digests).get()
            for step in Int64(2)...6 {
                async let byOne = one.claimTOTPStep(userID: user.id, step: step)
                async let byOther = other.claimTOTPStep(userID: user.id, step: step)
                let outcomes = [try await byOne.get(), try await byOther.get()]
                #expect(outcomes.filter { $0 }.count == 1, "step \(step): \(outcomes)")
            }
            async let byOne = one.useRecoveryCode(userID: user.id, digest: digests[3])
            async let byOther = other.useRecoveryCode(userID: user.id, digest: digests[3])
            #expect([try await byOne.get(), try await byOther.get()].filter { $0 }.count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func eachRecoveryCodeIsUsedOnce(_ kind: StoreKind) async throws {
        try await kind.withSecondFactors { store in
            let user = try await user(store)
            let other = try await self.user(store, "d@e.f")
            _ = try await store.setPendingTOTP(userID: user.id, secret: first).get()
            _ = try await store.enableTOTP(userID: user.id, secret: first, step: 1, recoveryCodeDigests: digests).get()
            #expect(try await !store.useRecoveryCode(userID: other.id, digest: digests[0]).get())
            #expect(try await store.useRecoveryCode(userID: user.id, digest: digests[0]).get())
            #expect(try await !store.useRecoveryCode(userID: user.id, digest: digests[0]).get())
            #expect(try await !store.useRecoveryCode(userID: user.id, digest: SecretDigest.sha256Hex("nope")).get())
            #expect(try await store.findTOTP(userID: user.id).get()?.recoveryCodesLeft == 9)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func removingTOTPOrTheUserRemovesSecretAndCodes(_ kind: StoreKind) async throws {
        try await kind.withSecondFactors { store in
            let user = try await user(store)
            _ = try await store.setPendingTOTP(userID: user.id, secret: first).get()
            _ = try await store.enableTOTP(userID: user.id, secret: first, step: 1, recoveryCodeDigests: digests).get()
            #expect(try await store.removeTOTP(userID: user.id).get())
            #expect(try await !store.removeTOTP(userID: user.id).get())
            #expect(try await store.findTOTP(userID: user.id).get() == nil)
            #expect(try await !store.useRecoveryCode(userID: user.id, digest: digests[1]).get())
            #expect(try await store.usersWithTOTP().get().isEmpty)

            _ = try await store.setPendingTOTP(userID: user.id, secret: second).get()
            _ = try await store.enableTOTP(userID: user.id, secret: second, step: 5, recoveryCodeDigests: digests).get()
            _ = try await store.deleteUser(id: user.id).get()
            // Whoever gets the id next (SQLite reuses the highest) inherits nothing.
            let next = try await self.user(store, "next@b.c")
            #expect(try await store.findTOTP(userID: user.id).get() == nil)
            #expect(try await store.findTOTP(userID: next.id).get() == nil)
            #expect(try await !store.useRecoveryCode(userID: user.id, digest: digests[2]).get())
        }
    }
}

/// `copyUsers` with second factors (`authd migrate`), on every implementation: each sealed to the
/// id the copy gives, in the same step as its user.
@Suite struct SecondFactorCopyContractTests {
    private let digests = (0..<2).map { SecretDigest.sha256Hex("code \($0)") }
    private let rows = [
        User(id: 7, email: "alice@b.c", hashedPassword: TestVectors.hash2b),
        User(id: 9, email: "bob@b.c", hashedPassword: TestVectors.hash2a),
        User(id: 12, email: "carol@b.c", hashedPassword: TestVectors.hash2y),
    ]

    /// A second factor whose sealed secret names the id it was sealed to; `sealing: false` fails.
    private func factor(enabled: Bool, lastStep: Int64?, digests: [String], sealing: Bool = true) -> CopiedSecondFactor
    {
        CopiedSecondFactor(isEnabled: enabled, lastStep: lastStep, recoveryCodeDigests: digests) { id in
            sealing ? SealedSecret(keyID: "0badc0de", sealed: "sealed for \(id)") : nil
        }
    }

    @Test(arguments: StoreKind.allCases)
    func eachSecondFactorIsSealedToTheNewIDAndCopiedWithItsStepAndCodes(_ kind: StoreKind) async throws {
        try await kind.withSecondFactors { store in
            let earlier = try await store.addUser(email: "earlier@b.c", hashedPassword: TestVectors.hash2b).get()
            let factors: [Int64: CopiedSecondFactor] = [
                7: factor(enabled: true, lastStep: 42, digests: digests),
                12: factor(enabled: false, lastStep: nil, digests: []),
            ]
            #expect(try await store.copyUsers(rows, secondFactors: factors).get() == [.added, .added, .added])
            let alice = try #require(try await store.findUser(email: "alice@b.c").get())
            let bob = try #require(try await store.findUser(email: "bob@b.c").get())
            let carol = try #require(try await store.findUser(email: "carol@b.c").get())
            #expect(alice.id > earlier.id && alice.id != 7)
            #expect(
                try await store.findTOTP(userID: alice.id).get()
                    == TOTPRecord(
                        userID: alice.id, secret: SealedSecret(keyID: "0badc0de", sealed: "sealed for \(alice.id)"),
                        isEnabled: true, lastStep: 42, recoveryCodesLeft: 2))
            #expect(try await !store.claimTOTPStep(userID: alice.id, step: 42).get())
            #expect(try await store.useRecoveryCode(userID: alice.id, digest: digests[1]).get())
            #expect(try await store.findTOTP(userID: bob.id).get() == nil)
            #expect(try await store.findTOTP(userID: carol.id).get()?.isEnabled == false)
            #expect(try await store.usersWithTOTP().get() == [alice.id])

            #expect(
                try await store.copyUsers(rows, secondFactors: factors).get()
                    == [.alreadyPresent, .alreadyPresent, .alreadyPresent])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aStoredUserWithoutTheRowsSecondFactorConflictsAndASealThatFailsWritesNothing(_ kind: StoreKind)
        async throws
    {
        try await kind.withSecondFactors { store in
            #expect(try await store.copyUsers(rows).get() == [.added, .added, .added])
            let alice = try #require(try await store.findUser(email: "alice@b.c").get())
            let enabled: [Int64: CopiedSecondFactor] = [7: factor(enabled: true, lastStep: 1, digests: digests)]
            #expect(
                try await store.copyUsers(rows, secondFactors: enabled).get()
                    == [.conflict(.otherSecondFactor(stored: alice)), .alreadyPresent, .alreadyPresent])
            #expect(try await store.findTOTP(userID: alice.id).get() == nil)
        }
        try await kind.withSecondFactors { store in
            let failing: [Int64: CopiedSecondFactor] = [
                9: factor(enabled: true, lastStep: 1, digests: digests, sealing: false)
            ]
            let failed = await store.copyUsers(rows, secondFactors: failing)
            #expect(failed.failure != nil)
            let users = try await store.listUsers().get()
            #expect(users.isEmpty)
        }
    }
}
