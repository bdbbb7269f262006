/// The store for several nodes: the seed's `users` table and authd's tables in one PostgreSQL
/// database, reached through libpq on one dedicated thread in pipeline mode with group commit
/// (see `PostgreSQLQueue`). `pendingResetMails` claims what it returns for a lease (see
/// `UserStore`), so each mail is sent by one node. Thread-safe; completions run on the store thread.
public final class PostgreSQLUserStore: UserStore {
    /// How long a node holds the mails `pendingResetMails` gave it before another node may take them.
    public static let mailLease = Duration.seconds(60)

    let queue: PostgreSQLQueue
    private let clock: @Sendable () -> Int64
    public let sharedLoginLimits: (any SharedLoginLimits)?

    /// Whether `location` names a PostgreSQL database (a `postgresql://` or `postgres://` URI)
    /// rather than a SQLite file.
    public static func handles(_ location: String) -> Bool {
        location.hasPrefix("postgresql://") || location.hasPrefix("postgres://")
    }

    /// `location` with its password, if any, replaced by `***`: for logs.
    public static func redacted(_ location: String) -> String {
        PostgreSQLConnection.redacted(location)
    }

    /// Connects to the database at `location` (a libpq URI; several hosts with
    /// `target_session_attrs=read-write` find the primary), creates or upgrades the schema, and
    /// starts the store thread; throws `.cannotOpen` when the database cannot be reached now.
    /// Each operation fails with `.unavailable` once it waited `operationTimeout`; `clock` (unix ms)
    /// times the mail leases; `onHealthChange` hears each change of health once, on the store thread.
    public init(
        location: String, operationTimeout: Duration = .seconds(5),
        clock: @escaping @Sendable () -> Int64 = WallClock.milliseconds,
        onHealthChange: @escaping @Sendable (_ from: StoreHealth, _ to: StoreHealth) -> Void = { _, _ in }
    ) throws(StoreError) {
        self.clock = clock
        do {
            queue = try PostgreSQLQueue(
                location: location, operationTimeout: operationTimeout, onHealthChange: onHealthChange)
        } catch .cannotOpen(let redacted, let reason) {
            throw .cannotOpen(location: redacted, reason: reason)
        } catch {
            throw .cannotOpen(location: PostgreSQLConnection.redacted(location), reason: error.description)
        }
        sharedLoginLimits = PostgreSQLLoginLimits(queue: queue)
    }

    /// Round trips to the server so far, one per batch: pipelining shows as fewer than operations.
    var roundTrips: Int { queue.roundTrips }

    /// Connections made again after one was lost.
    var reconnects: Int { queue.reconnects }

    public func addUser(
        email: String, hashedPassword: String, unique: EmailComparison, completion: @escaping StoreCompletion<User>
    ) {
        queue.submit(
            writes: true, Self.addSteps(email, hashedPassword, unique),
            decode: { results throws(StoreError) in
                guard let id = results.last?.integer(row: 0, column: 0) else { throw .duplicateEmail }
                return User(id: id, email: email, hashedPassword: hashedPassword)
            }, completion: completion)
    }

    public func findUser(email: String, completion: @escaping StoreCompletion<User?>) {
        read(.selectByEmail, [.text(email)], completion: completion)
    }

    public func findUser(emailIgnoringCase email: String, completion: @escaping StoreCompletion<User?>) {
        queue.submit(
            writes: false, [.init(statement: .selectByEmailIgnoringCase, parameters: [.text(email)])],
            decode: { results in
                results[0].rowCount == 1 ? results[0].user(row: 0) : nil
            }, completion: completion)
    }

    public func replacePasswordHash(
        userID: Int64, from old: String, to new: String, completion: @escaping StoreCompletion<Bool>
    ) {
        change(.replaceHash, [.integer(userID), .text(old), .text(new)], completion: completion)
    }

    public func newestPasswordHashes(limit: Int, completion: @escaping StoreCompletion<[String]>) {
        let steps = [PostgreSQLJob.Step(statement: .selectNewestHashes, parameters: [.integer(Int64(max(0, limit)))])]
        queue.submit(
            writes: false, steps,
            decode: { results in
                (0..<results[0].rowCount).map { results[0].string(row: $0, column: 0) ?? "" }
            }, completion: completion)
    }

    public func findUser(sessionID: SecretKey, completion: @escaping StoreCompletion<User?>) {
        read(.selectBySession, [.text(sessionID.stored), .optional(sessionID.legacy)], completion: completion)
    }

    public func findSession(_ key: SecretKey, completion: @escaping StoreCompletion<SessionHolder?>) {
        let steps = [
            PostgreSQLJob.Step(statement: .selectSessionHolder, parameters: [.text(key.stored), .optional(key.legacy)])
        ]
        queue.submit(
            writes: false, steps,
            decode: { results in
                results[0].firstSessionHolder
            }, completion: completion)
    }

    public func findUser(resetToken: SecretKey, email: String, completion: @escaping StoreCompletion<User?>) {
        read(
            .selectByResetToken, [.text(resetToken.stored), .optional(resetToken.legacy), .text(email)],
            completion: completion)
    }

    public func startSession(
        _ session: Session, storedID: String, limit: Int, completion: @escaping StoreCompletion<[SessionHandle]?>
    ) {
        let userID = session.userID
        let steps: [PostgreSQLJob.Step] = [
            .init(
                statement: .startSession, parameters: [.integer(userID), .text(storedID), .integer(session.createdAt)]),
            .init(
                statement: .insertSession,
                parameters: [
                    .text(storedID), .integer(userID), .integer(session.handle.rawValue), .integer(session.createdAt),
                    .integer(session.lastSeenAt), .text(session.address), .text(session.userAgent),
                    .integer(session.assurance.rawValue),
                ]),
            .init(
                statement: .evictSessions,
                parameters: [.integer(userID), .integer(session.handle.rawValue), .integer(Int64(max(0, limit - 1)))]),
            .init(statement: .dropMailOfUser, parameters: [.integer(userID)]),
        ]
        queue.submit(
            writes: true, steps,
            decode: { results in
                guard results[0].affectedRows > 0 else { return nil }
                let evicted = results[2]
                return (0..<evicted.rowCount).map { row in
                    (
                        handle: SessionHandle(rawValue: evicted.integer(row: row, column: 0) ?? 0),
                        order: (evicted.integer(row: row, column: 1) ?? 0, evicted.integer(row: row, column: 2) ?? 0)
                    )
                }.sorted { $0.order < $1.order }.map(\.handle)
            }, completion: completion)
    }

    public func endSession(_ key: SecretKey, completion: @escaping StoreCompletion<EndedSession?>) {
        let parameters: [PostgreSQLValue] = [.text(key.stored), .optional(key.legacy)]
        queue.submit(
            writes: true,
            [
                .init(statement: .endSessionRow, parameters: parameters),
                .init(statement: .endSession, parameters: parameters),
            ],
            decode: { results in
                if let user = results[0].firstUser {
                    return EndedSession(
                        user: user, handle: results[0].integer(row: 0, column: 7).map(SessionHandle.init))
                }
                return results[1].firstUser.map { EndedSession(user: $0, handle: nil) }
            }, completion: completion)
    }

    public func sessions(ofUser userID: Int64, completion: @escaping StoreCompletion<[Session]>) {
        queue.submit(
            writes: false, [.init(statement: .selectSessionsOfUser, parameters: [.integer(userID)])],
            decode: { results in
                (0..<results[0].rowCount).map { results[0].session(row: $0) }
            }, completion: completion)
    }

    public func endSession(_ handle: SessionHandle, ofUser userID: Int64, completion: @escaping StoreCompletion<Bool>) {
        queue.submit(
            writes: true,
            [.init(statement: .endSessionByHandle, parameters: [.integer(handle.rawValue), .integer(userID)])],
            decode: { results in
                (results[0].integer(row: 0, column: 0) ?? 0) > 0
            }, completion: completion)
    }

    public func endSessions(
        ofUser userID: Int64, keeping kept: SessionHandle?, completion: @escaping StoreCompletion<[SessionHandle]>
    ) {
        let keptValue: PostgreSQLValue = kept.map { .integer($0.rawValue) } ?? .null
        queue.submit(
            writes: true, [.init(statement: .endSessionsOfUser, parameters: [.integer(userID), keptValue])],
            decode: { results in
                (0..<results[0].rowCount).map { SessionHandle(rawValue: results[0].integer(row: $0, column: 0) ?? 0) }
            }, completion: completion)
    }

    public func touchSession(_ handle: SessionHandle, at time: Int64, completion: @escaping StoreCompletion<Bool>) {
        change(.touchSession, [.integer(handle.rawValue), .integer(time)], completion: completion)
    }

    public func renewSession(
        _ handle: SessionHandle, ofUser userID: Int64, storedID: String, assurance: AssuranceLevel,
        completion: @escaping StoreCompletion<Bool>
    ) {
        let named: [PostgreSQLValue] = [.integer(userID), .integer(handle.rawValue), .text(storedID)]
        queue.submit(
            writes: true,
            [
                .init(statement: .renewSessionColumn, parameters: named),
                .init(statement: .renewSession, parameters: named + [.integer(assurance.rawValue)]),
            ],
            decode: { results in
                results[1].affectedRows > 0
            }, completion: completion)
    }

    public func issueResetToken(
        email: String, token: String, createdAt: Int64, completion: @escaping StoreCompletion<User?>
    ) {
        write(.issueResetToken, [.text(email), .text(token), .integer(createdAt)], completion: completion)
    }

    public func clearResetToken(_ token: SecretKey, email: String, completion: @escaping StoreCompletion<Bool>) {
        change(
            .clearResetToken, [.text(token.stored), .optional(token.legacy), .text(email)],
            then: Self.dropMailWithoutToken,
            completion: completion)
    }

    public func consumeResetToken(
        _ token: SecretKey, email: String, newHashedPassword: String, endingSessions: Bool,
        completion: @escaping StoreCompletion<User?>
    ) {
        write(
            endingSessions ? .consumeResetToken : .consumeResetTokenKeepingSession,
            [.text(token.stored), .optional(token.legacy), .text(email), .text(newHashedPassword)],
            then: Self.dropMailWithoutToken,
            completion: completion)
    }

    public func listUsers(completion: @escaping StoreCompletion<[User]>) {
        queue.submit(
            writes: false, [.init(statement: .selectAll, parameters: [])],
            decode: { results in
                (0..<results[0].rowCount).map { results[0].user(row: $0) }
            }, completion: completion)
    }

    public func deleteUser(id: Int64, completion: @escaping StoreCompletion<User?>) {
        let steps: [PostgreSQLJob.Step] = [
            .init(statement: .deleteByID, parameters: [.integer(id)]), Self.dropMailWithoutToken,
            // Its id could be given again (after a sequence reset or a seed-made table's own ids).
            .init(statement: .dropSecondFactorsWithoutUser, parameters: []),
        ]
        queue.submit(
            writes: true, steps,
            decode: { results in
                results[0].firstUser
            }, completion: completion)
    }

    public func endSessions(email: String, completion: @escaping StoreCompletion<User?>) {
        write(.endSessionsByEmail, [.text(email)], completion: completion)
    }

    public func setPasswordHash(email: String, to hash: String, completion: @escaping StoreCompletion<User?>) {
        write(
            .setPasswordByEmail, [.text(email), .text(hash)], then: Self.dropMailWithoutToken, completion: completion)
    }

    /// One job of every user's steps: the batch's transaction makes them one step, and each sees
    /// the rows the earlier ones added.
    public func addUsers(_ users: [NewUser], unique: EmailComparison, completion: @escaping StoreCompletion<[User?]>) {
        let perUser = unique == .ignoringCase ? 2 : 1
        let steps = users.flatMap { Self.addSteps($0.email, $0.hashedPassword, unique) }
        queue.submit(
            writes: true, steps,
            decode: { results in
                users.enumerated().map { index, new in
                    results[index * perUser + perUser - 1].integer(row: 0, column: 0).map {
                        User(id: $0, email: new.email, hashedPassword: new.hashedPassword)
                    }
                }
            }, completion: completion)
    }

    public func issueResetTokenByMail(_ request: ResetMailRequest, completion: @escaping StoreCompletion<OutboxMail?>) {
        let steps: [PostgreSQLJob.Step] = [
            .init(statement: .noteResetRequest, parameters: [.integer(request.createdAt)]),
            .init(
                statement: .queueResetMail,
                parameters: [
                    .text(request.email), .text(request.storedToken), .text(request.mailedToken),
                    .text(request.requestedBy), .integer(request.createdAt), .integer(request.expiresAt),
                    .text(request.account), .integer(Int64(request.limit.mails)), .integer(request.limit.window),
                    .integer(request.limit.interval),
                ]),
        ]
        queue.submit(
            writes: true, steps,
            decode: { results in
                results[1].rowCount > 0 ? results[1].mail(row: 0) : nil
            }, completion: completion)
    }

    /// Claims the mails it returns (a write): another caller, on this node or another, gets them
    /// again only once `mailLease` passed, or after `deferResetMail`.
    public func pendingResetMails(dueAt now: Int64?, limit: Int, completion: @escaping StoreCompletion<OutboxSnapshot>)
    {
        let lease = Self.mailLease.components.seconds * 1000
        let claimedAt = clock()
        let steps = [
            PostgreSQLJob.Step(
                statement: .claimDueMails,
                parameters: [
                    .integer(now ?? .max), .integer(Int64(max(0, limit))), .integer(claimedAt), .integer(lease),
                ])
        ]
        queue.submit(
            writes: true, steps,
            decode: { results in
                let rows = results[0]
                let due = (0..<rows.rowCount).compactMap { row in
                    rows.integer(row: row, column: 2) == nil ? nil : rows.mail(row: row, offset: 2)
                }
                return OutboxSnapshot(
                    due: due, pending: Int(rows.integer(row: 0, column: 0) ?? 0),
                    nextAttemptAt: rows.integer(row: 0, column: 1), claimedUntil: claimedAt + lease)
            }, completion: completion)
    }

    public func deferResetMail(
        id: Int64, attempts: Int, nextAttemptAt: Int64, completion: @escaping StoreCompletion<Bool>
    ) {
        change(.deferMail, [.integer(id), .integer(Int64(attempts)), .integer(nextAttemptAt)], completion: completion)
    }

    public func removeResetMail(id: Int64, completion: @escaping StoreCompletion<Bool>) {
        change(
            .removeMail, [.integer(id)], then: .init(statement: .noteResetRequest, parameters: [.integer(clock())]),
            completion: completion)
    }

    /// A fresh lease from now, only while the row still carries the claim `claimedUntil` names:
    /// another node's claim would have replaced it.
    public func renewResetMailClaim(id: Int64, claimedUntil: Int64, completion: @escaping StoreCompletion<Bool>) {
        let lease = Self.mailLease.components.seconds * 1000
        change(
            .renewMailClaim, [.integer(id), .integer(claimedUntil), .integer(clock() + lease)], completion: completion)
    }

    public var queueDepth: Int { queue.depth }

    public func holdWakeups() -> (@Sendable () -> Void)? {
        queue.holdWakeups()
        return { [queue] in queue.wakeHeld() }
    }

    public var status: StoreStatus { queue.status }

    public func probe() {
        queue.probe()
    }

    public func close() {
        queue.shutdown()
    }

    /// An add's statements: ignoring case, the lock on the folded email first (see `lockFoldedEmail`).
    private static func addSteps(_ email: String, _ hash: String, _ unique: EmailComparison) -> [PostgreSQLJob.Step] {
        switch unique {
        case .exact:
            [.init(statement: .insertUser, parameters: [.text(email), .text(hash)])]
        case .ignoringCase:
            [
                .init(statement: .lockFoldedEmail, parameters: [.text(email)]),
                .init(statement: .insertUserUnlessCaseVariant, parameters: [.text(email), .text(hash)]),
            ]
        }
    }

    /// A one-statement read whose first row, if any, is the user.
    private func read(
        _ statement: PostgreSQLStatement, _ parameters: [PostgreSQLValue], completion: @escaping StoreCompletion<User?>
    ) {
        queue.submit(
            writes: false, [.init(statement: statement, parameters: parameters)],
            decode: { results in
                results[0].firstUser
            }, completion: completion)
    }

    /// A one-statement write whose first row, if any, is the user.
    private func write(
        _ statement: PostgreSQLStatement, _ parameters: [PostgreSQLValue], then extra: PostgreSQLJob.Step? = nil,
        completion: @escaping StoreCompletion<User?>
    ) {
        queue.submit(
            writes: true, Self.steps(statement, parameters, then: extra),
            decode: { results in
                results[0].firstUser
            }, completion: completion)
    }

    /// A one-statement write; whether it touched a row.
    private func change(
        _ statement: PostgreSQLStatement, _ parameters: [PostgreSQLValue], then extra: PostgreSQLJob.Step? = nil,
        completion: @escaping StoreCompletion<Bool>
    ) {
        queue.submit(
            writes: true, Self.steps(statement, parameters, then: extra),
            decode: { results in
                results[0].affectedRows > 0
            }, completion: completion)
    }

    /// After a statement that clears reset tokens or removes users, in its transaction: the mails
    /// that no longer have a token to carry (a login knows its user and drops that one's instead).
    private static let dropMailWithoutToken = PostgreSQLJob.Step(statement: .dropMailWithoutToken, parameters: [])

    /// One statement, then `extra` in the same job (and so the same transaction) when given.
    private static func steps(
        _ statement: PostgreSQLStatement, _ parameters: [PostgreSQLValue], then extra: PostgreSQLJob.Step?
    ) -> [PostgreSQLJob.Step] {
        let first = PostgreSQLJob.Step(statement: statement, parameters: parameters)
        guard let extra else { return [first] }
        return [first, extra]
    }
}
