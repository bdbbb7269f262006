import Testing

@testable import AuthService

/// Async forms of the store's operations, so contract tests read top to bottom.
extension UserStore {
    func addUser(email: String, hashedPassword: String) async -> Result<User, StoreError> {
        await withCheckedContinuation { done in
            addUser(email: email, hashedPassword: hashedPassword) { done.resume(returning: $0) }
        }
    }

    func findUser(email: String) async -> Result<User?, StoreError> {
        await withCheckedContinuation { done in findUser(email: email) { done.resume(returning: $0) } }
    }

    func addUser(email: String, hashedPassword: String, unique: EmailComparison) async -> Result<User, StoreError> {
        await withCheckedContinuation { done in
            addUser(email: email, hashedPassword: hashedPassword, unique: unique) { done.resume(returning: $0) }
        }
    }

    func findUser(emailIgnoringCase email: String) async -> Result<User?, StoreError> {
        await withCheckedContinuation { done in findUser(emailIgnoringCase: email) { done.resume(returning: $0) } }
    }

    func replacePasswordHash(userID: Int64, from old: String, to new: String) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in
            replacePasswordHash(userID: userID, from: old, to: new) { done.resume(returning: $0) }
        }
    }

    func newestPasswordHashes(limit: Int) async -> Result<[String], StoreError> {
        await withCheckedContinuation { done in newestPasswordHashes(limit: limit) { done.resume(returning: $0) } }
    }

    func findUser(sessionID: String) async -> Result<User?, StoreError> {
        await withCheckedContinuation { done in
            findUser(sessionID: SecretKey(stored: sessionID)) { done.resume(returning: $0) }
        }
    }

    func findUser(resetToken: String, email: String) async -> Result<User?, StoreError> {
        await withCheckedContinuation { done in
            findUser(resetToken: SecretKey(stored: resetToken), email: email) { done.resume(returning: $0) }
        }
    }

    func startSession(userID: Int64, sessionID: String, createdAt: Int64) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in
            startSession(userID: userID, sessionID: sessionID, createdAt: createdAt) { done.resume(returning: $0) }
        }
    }

    func endSession(_ sessionID: String) async -> Result<User?, StoreError> {
        await withCheckedContinuation { done in
            endSession(SecretKey(stored: sessionID)) { done.resume(returning: $0.map { $0?.user }) }
        }
    }

    func issueResetToken(email: String, token: String, createdAt: Int64) async -> Result<User?, StoreError> {
        await withCheckedContinuation { done in
            issueResetToken(email: email, token: token, createdAt: createdAt) { done.resume(returning: $0) }
        }
    }

    func clearResetToken(_ token: String, email: String) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in
            clearResetToken(SecretKey(stored: token), email: email) { done.resume(returning: $0) }
        }
    }

    func consumeResetToken(_ token: String, email: String, newHashedPassword: String) async -> Result<User?, StoreError>
    {
        await withCheckedContinuation { done in
            consumeResetToken(
                SecretKey(stored: token), email: email, newHashedPassword: newHashedPassword, endingSessions: true
            ) {
                done.resume(returning: $0)
            }
        }
    }
}

extension UserStore {
    func listUsers() async -> Result<[User], StoreError> {
        await withCheckedContinuation { done in listUsers { done.resume(returning: $0) } }
    }

    func deleteUser(id: Int64) async -> Result<User?, StoreError> {
        await withCheckedContinuation { done in deleteUser(id: id) { done.resume(returning: $0) } }
    }

    func endSessions(email: String) async -> Result<User?, StoreError> {
        await withCheckedContinuation { done in endSessions(email: email) { done.resume(returning: $0) } }
    }

    func setPasswordHash(email: String, to hash: String) async -> Result<User?, StoreError> {
        await withCheckedContinuation { done in setPasswordHash(email: email, to: hash) { done.resume(returning: $0) } }
    }

    func addUsers(_ users: [NewUser], unique: EmailComparison) async -> Result<[User?], StoreError> {
        await withCheckedContinuation { done in addUsers(users, unique: unique) { done.resume(returning: $0) } }
    }

    func copyUsers(_ rows: [User], secondFactors: [Int64: CopiedSecondFactor] = [:]) async -> Result<
        [CopyOutcome], StoreError
    > {
        await withCheckedContinuation { done in
            copyUsers(rows, secondFactors: secondFactors) { done.resume(returning: $0) }
        }
    }

    func issueResetTokenByMail(_ request: ResetMailRequest) async -> Result<OutboxMail?, StoreError> {
        await withCheckedContinuation { done in issueResetTokenByMail(request) { done.resume(returning: $0) } }
    }

    func pendingResetMails(dueAt now: Int64?, limit: Int = 100) async -> Result<OutboxSnapshot, StoreError> {
        await withCheckedContinuation { done in
            pendingResetMails(dueAt: now, limit: limit) { done.resume(returning: $0) }
        }
    }

    func deferResetMail(id: Int64, attempts: Int, nextAttemptAt: Int64) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in
            deferResetMail(id: id, attempts: attempts, nextAttemptAt: nextAttemptAt) { done.resume(returning: $0) }
        }
    }

    func renewResetMailClaim(id: Int64, claimedUntil: Int64) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in
            renewResetMailClaim(id: id, claimedUntil: claimedUntil) { done.resume(returning: $0) }
        }
    }

    func removeResetMail(id: Int64) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in removeResetMail(id: id) { done.resume(returning: $0) } }
    }
}

extension ResetMailRequest {
    /// A request for `email` with the token `token` (stored as `stored-<token>`), issued at `at`.
    static func test(
        _ email: String, token: String = "t-1", at createdAt: Int64 = 1_000, by address: String = "192.0.2.1",
        limit: ResetMailLimit = .none
    )
        -> ResetMailRequest
    {
        ResetMailRequest(
            email: email, storedToken: "stored-\(token)", mailedToken: token, requestedBy: address,
            createdAt: createdAt,
            expiresAt: createdAt + 900_000, limit: limit)
    }
}

extension UserStore {
    func findUser(sessionKey: SecretKey) async -> Result<User?, StoreError> {
        await withCheckedContinuation { done in findUser(sessionID: sessionKey) { done.resume(returning: $0) } }
    }

    func findSession(_ key: SecretKey) async -> Result<SessionHolder?, StoreError> {
        await withCheckedContinuation { done in findSession(key) { done.resume(returning: $0) } }
    }

    func findSession(_ sessionID: String) async -> Result<SessionHolder?, StoreError> {
        await findSession(SecretKey(stored: sessionID))
    }
}

/// Each store implementation the contract suite runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, memory, postgresql

    var testDescription: String { rawValue }

    /// Whether `pendingResetMails` claims what it returns, so a second look does not see it again.
    var claimsPendingMails: Bool { self == .postgresql }

    /// Runs `body` with a fresh, empty store of this kind, closed and removed afterwards.
    func with(_ body: (any UserStore) async throws -> Void) async throws {
        switch self {
        case .memory:
            let store = InMemoryUserStore()
            defer { store.close() }
            try await body(store)
        case .sqlite:
            try await TemporaryDatabase.with { database in
                let store = try SQLiteUserStore(path: database.path)
                defer { store.close() }
                try await body(store)
            }
        case .postgresql:
            try await TemporaryPostgreSQL.with { database in
                let store = try PostgreSQLUserStore(location: database.url)
                defer { store.close() }
                try await body(store)
            }
        }
    }

    /// Runs `body` with two stores on one fresh database, as two nodes (or two processes) have;
    /// does nothing for the in-memory store, which one process owns.
    func withTwoStoresOnOneDatabase(
        _ body: (any UserStore, any UserStore) async throws -> Void
    ) async throws {
        switch self {
        case .memory:
            return
        case .sqlite:
            try await TemporaryDatabase.with { database in
                let first = try SQLiteUserStore(path: database.path)
                let second = try SQLiteUserStore(path: database.path)
                defer {
                    first.close()
                    second.close()
                }
                try await body(first, second)
            }
        case .postgresql:
            try await TemporaryPostgreSQL.with { database in
                let first = try PostgreSQLUserStore(location: database.url)
                let second = try PostgreSQLUserStore(location: database.url)
                defer {
                    first.close()
                    second.close()
                }
                try await body(first, second)
            }
        }
    }
}
