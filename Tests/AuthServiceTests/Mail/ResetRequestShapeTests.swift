import Synchronization
import Testing

@testable import AuthService

/// A reset request by mail asks the store the same thing whether or not the email is registered:
/// one operation, so the answer's timing follows the same path either way.
@Suite struct ResetRequestShapeTests {
    @Test func aKnownAndAnUnknownEmailMakeTheSameStoreCalls() async throws {
        let store = RecordingStore(InMemoryUserStore())
        let relay = try FakeRelay([FakeRelay.accepting()])
        var configuration = AuthConfiguration(bcryptCost: 4, hashThreads: 1)
        configuration.resetDelivery = .smtp(host: "127.0.0.1", port: relay.port)
        let auth = try Auth(store: store, configuration: configuration)
        defer { auth.shutdown() }
        _ = try #require(await auth.register(email: "bob@b.c", password: "pw").value)

        store.reset()
        #expect(await auth.requestPasswordReset(email: "bob@b.c").value == .mailed(email: "bob@b.c"))
        let known = store.requestCalls
        store.reset()
        #expect(await auth.requestPasswordReset(email: "nobody@b.c").value == .mailed(email: "nobody@b.c"))
        let unknown = store.requestCalls
        #expect(known == ["issueResetTokenByMail"])
        #expect(unknown == known)
    }
}

/// Forwards to a store and notes the name of each operation called.
final class RecordingStore: UserStore {
    /// The delivery thread's own operations, which run beside the requests.
    private static let delivery: Set = ["pendingResetMails", "deferResetMail", "removeResetMail"]
    private let inner: any UserStore
    private let calls = Mutex<[String]>([])

    init(_ inner: any UserStore) {
        self.inner = inner
    }

    func reset() { calls.withLock { $0.removeAll() } }

    /// The calls since `reset()`, but the delivery thread's.
    var requestCalls: [String] { calls.withLock { $0.filter { !Self.delivery.contains($0) } } }

    private func note(_ name: String = #function) {
        let bare = String(name.prefix { $0 != "(" })
        calls.withLock { $0.append(bare) }
    }

    func listUsers(completion: @escaping StoreCompletion<[User]>) {
        note()
        inner.listUsers(completion: completion)
    }

    func deleteUser(id: Int64, completion: @escaping StoreCompletion<User?>) {
        note()
        inner.deleteUser(id: id, completion: completion)
    }

    func endSessions(email: String, completion: @escaping StoreCompletion<User?>) {
        note()
        inner.endSessions(email: email, completion: completion)
    }

    func setPasswordHash(email: String, to hash: String, completion: @escaping StoreCompletion<User?>) {
        note()
        inner.setPasswordHash(email: email, to: hash, completion: completion)
    }

    func addUsers(_ users: [NewUser], unique: EmailComparison, completion: @escaping StoreCompletion<[User?]>) {
        note()
        inner.addUsers(users, unique: unique, completion: completion)
    }

    func copyUsers(
        _ rows: [User], secondFactors: [Int64: CopiedSecondFactor], completion: @escaping StoreCompletion<[CopyOutcome]>
    ) {
        note()
        inner.copyUsers(rows, secondFactors: secondFactors, completion: completion)
    }

    func addUser(
        email: String, hashedPassword: String, unique: EmailComparison, completion: @escaping StoreCompletion<User>
    ) {
        note()
        inner.addUser(email: email, hashedPassword: hashedPassword, unique: unique, completion: completion)
    }

    func findUser(email: String, completion: @escaping StoreCompletion<User?>) {
        note()
        inner.findUser(email: email, completion: completion)
    }

    func findUser(emailIgnoringCase email: String, completion: @escaping StoreCompletion<User?>) {
        note("findUserIgnoringCase")
        inner.findUser(emailIgnoringCase: email, completion: completion)
    }

    func replacePasswordHash(
        userID: Int64, from old: String, to new: String, completion: @escaping StoreCompletion<Bool>
    ) {
        note()
        inner.replacePasswordHash(userID: userID, from: old, to: new, completion: completion)
    }

    func newestPasswordHashes(limit: Int, completion: @escaping StoreCompletion<[String]>) {
        note()
        inner.newestPasswordHashes(limit: limit, completion: completion)
    }

    func findUser(sessionID: SecretKey, completion: @escaping StoreCompletion<User?>) {
        note("findUserBySession")
        inner.findUser(sessionID: sessionID, completion: completion)
    }

    func findSession(_ key: SecretKey, completion: @escaping StoreCompletion<SessionHolder?>) {
        note("findSession")
        inner.findSession(key, completion: completion)
    }

    func findUser(resetToken: SecretKey, email: String, completion: @escaping StoreCompletion<User?>) {
        note("findUserByResetToken")
        inner.findUser(resetToken: resetToken, email: email, completion: completion)
    }

    func startSession(
        _ session: Session, storedID: String, limit: Int, completion: @escaping StoreCompletion<[SessionHandle]?>
    ) {
        note()
        inner.startSession(session, storedID: storedID, limit: limit, completion: completion)
    }

    func endSession(_ key: SecretKey, completion: @escaping StoreCompletion<EndedSession?>) {
        note()
        inner.endSession(key, completion: completion)
    }

    func sessions(ofUser userID: Int64, completion: @escaping StoreCompletion<[Session]>) {
        note()
        inner.sessions(ofUser: userID, completion: completion)
    }

    func endSession(_ handle: SessionHandle, ofUser userID: Int64, completion: @escaping StoreCompletion<Bool>) {
        note()
        inner.endSession(handle, ofUser: userID, completion: completion)
    }

    func endSessions(
        ofUser userID: Int64, keeping kept: SessionHandle?, completion: @escaping StoreCompletion<[SessionHandle]>
    ) {
        note()
        inner.endSessions(ofUser: userID, keeping: kept, completion: completion)
    }

    func touchSession(_ handle: SessionHandle, at time: Int64, completion: @escaping StoreCompletion<Bool>) {
        note()
        inner.touchSession(handle, at: time, completion: completion)
    }

    func renewSession(
        _ handle: SessionHandle, ofUser userID: Int64, storedID: String, assurance: AssuranceLevel,
        completion: @escaping StoreCompletion<Bool>
    ) {
        note()
        inner.renewSession(handle, ofUser: userID, storedID: storedID, assurance: assurance, completion: completion)
    }

    func issueResetToken(email: String, token: String, createdAt: Int64, completion: @escaping StoreCompletion<User?>) {
        note()
        inner.issueResetToken(email: email, token: token, createdAt: createdAt, completion: completion)
    }

    func clearResetToken(_ token: SecretKey, email: String, completion: @escaping StoreCompletion<Bool>) {
        note()
        inner.clearResetToken(token, email: email, completion: completion)
    }

    func consumeResetToken(
        _ token: SecretKey, email: String, newHashedPassword: String, endingSessions: Bool,
        completion: @escaping StoreCompletion<User?>
    ) {
        note()
        inner.consumeResetToken(
            token, email: email, newHashedPassword: newHashedPassword, endingSessions: endingSessions,
            completion: completion)
    }

    func issueResetTokenByMail(_ request: ResetMailRequest, completion: @escaping StoreCompletion<OutboxMail?>) {
        note()
        inner.issueResetTokenByMail(request, completion: completion)
    }

    func pendingResetMails(dueAt now: Int64?, limit: Int, completion: @escaping StoreCompletion<OutboxSnapshot>) {
        note()
        inner.pendingResetMails(dueAt: now, limit: limit, completion: completion)
    }

    func deferResetMail(id: Int64, attempts: Int, nextAttemptAt: Int64, completion: @escaping StoreCompletion<Bool>) {
        note()
        inner.deferResetMail(id: id, attempts: attempts, nextAttemptAt: nextAttemptAt, completion: completion)
    }

    func removeResetMail(id: Int64, completion: @escaping StoreCompletion<Bool>) {
        note()
        inner.removeResetMail(id: id, completion: completion)
    }

    var queueDepth: Int { inner.queueDepth }
    var status: StoreStatus { inner.status }
    func probe() { inner.probe() }
    func close() { inner.close() }
}
