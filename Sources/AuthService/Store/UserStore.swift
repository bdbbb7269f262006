/// What a store hands back: on any thread (the store's own, or the caller's for the in-memory store).
public typealias StoreCompletion<Value> = @Sendable (Result<Value, StoreError>) -> Void

/// The users table as atomic domain operations, the seam between Auth and a database (Kratos's
/// persister split). Each operation is atomic by itself in every backend, by one conditional
/// statement or one transaction, never by which thread runs it; a success is reported only once it
/// is durable, and a failure means the operation changed nothing. Thread-safe: call from any thread;
/// each completion runs exactly once. Lookups compare emails, session ids and tokens byte for byte,
/// except those named "ignoring case".
///
/// "Ignoring case" means ASCII case only: `A`–`Z` equal `a`–`z`, every other byte compares as it is
/// (`É` and `é`, `SS` and `ß`, the Kelvin sign and `k` stay distinct). That is what SQLite's NOCASE
/// collation and `lower()` do without ICU, so every backend can decide it inside its own
/// transaction, with an index; a Unicode folding in Swift would disagree with SQLite's. Emails
/// reach the store in NFC with the domain already lower-cased (`EmailAddress`), so what is left to
/// fold is the local part, where ASCII letters are by far the common case.
public protocol UserStore: AnyObject, Sendable {
    /// Adds a user; `.duplicateEmail` when another user has this email, compared as `unique` says,
    /// checked and inserted as one step.
    func addUser(
        email: String, hashedPassword: String, unique: EmailComparison, completion: @escaping StoreCompletion<User>)

    /// The user with this exact email (the oldest, should a seed-made file hold several); nil when none.
    func findUser(email: String, completion: @escaping StoreCompletion<User?>)

    /// The one user whose email equals this one ignoring ASCII case; nil when none, or when several
    /// do (a seed-made file may hold `A@b.c` and `a@b.c`: then only the exact spellings find them).
    func findUser(emailIgnoringCase email: String, completion: @escaping StoreCompletion<User?>)

    /// Replaces user `userID`'s password hash by `new` (stored as the seed stores it) only if it is
    /// still `old`, so a password reset or another login's upgrade in between wins; touches nothing
    /// else. Whether it replaced it.
    func replacePasswordHash(
        userID: Int64, from old: String, to new: String, completion: @escaping StoreCompletion<Bool>)

    /// The password hashes of the `limit` users added last, newest first (a sample of the costs in use).
    func newestPasswordHashes(limit: Int, completion: @escaping StoreCompletion<[String]>)

    /// The user holding this session id; nil when none.
    func findUser(sessionID: SecretKey, completion: @escaping StoreCompletion<User?>)

    /// Who holds this session id and since when, the same row `findUser(sessionID:)` finds; nil when
    /// none. The read behind every authenticated request, so it reads only what that needs.
    func findSession(_ key: SecretKey, completion: @escaping StoreCompletion<SessionHolder?>)

    /// The user holding this reset token, only if its email is `email`; nil otherwise.
    func findUser(resetToken: SecretKey, email: String, completion: @escaping StoreCompletion<User?>)

    /// Gives user `userID` the session `sessionID` (in its stored form), made at `createdAt` (unix ms), replacing any
    /// other (one session per user, as the seed), and clears a pending reset token (whoever logs in
    /// knows the password; OWASP's Forgot Password advice); false when the user no longer exists.
    func startSession(
        userID: Int64, sessionID: String, createdAt: Int64, completion: @escaping StoreCompletion<Bool>)

    /// Ends the session `sessionID` if a user still holds it, and returns that user as it was
    /// before (with the session's creation time); nil when nobody holds it.
    func endSession(_ sessionID: SecretKey, completion: @escaping StoreCompletion<User?>)

    /// Gives the user with this email the reset token `token` (in its stored form), issued at `createdAt`, replacing any
    /// earlier one; the user as it is now, nil when the email is not registered.
    func issueResetToken(
        email: String, token: String, createdAt: Int64, completion: @escaping StoreCompletion<User?>)

    /// Clears the reset token `token` if the user with `email` still holds it; whether it did.
    func clearResetToken(_ token: SecretKey, email: String, completion: @escaping StoreCompletion<Bool>)

    /// If the user with `email` still holds reset token `token`: sets the new password hash, clears
    /// the token (single use) and ends the session, in one step; the user as it is now, else nil.
    func consumeResetToken(
        _ token: SecretKey, email: String, newHashedPassword: String, completion: @escaping StoreCompletion<User?>)

    /// Every user, oldest first (`authd users list`).
    func listUsers(completion: @escaping StoreCompletion<[User]>)

    /// Removes the user with this exact email (the oldest, should several have it); the user as it was, nil when none.
    func deleteUser(email: String, completion: @escaping StoreCompletion<User?>)

    /// Ends the session of the user with this exact email, if it has one; the user as it was
    /// before, nil when none has this email.
    func endSessions(email: String, completion: @escaping StoreCompletion<User?>)

    /// Sets the password hash of the user with this exact email to `hash` (stored as the seed stores
    /// it), clears its reset token and ends its session, in one step, as a password update does;
    /// the user as it is now, nil when none has this email.
    func setPasswordHash(email: String, to hash: String, completion: @escaping StoreCompletion<User?>)

    /// Adds `users` in one step, each as `addUser` with `unique` would, against the stored users and
    /// the earlier ones of the list: one entry per given user, the user added or nil when its email
    /// was taken. A failure adds none of them.
    func addUsers(_ users: [NewUser], unique: EmailComparison, completion: @escaping StoreCompletion<[User?]>)

    /// Copies whole rows from another database (`authd migrate`), in the order given and in one
    /// step: each row's email, hash (stored as the seed stores it), session and reset token with
    /// their creation times, under an id of this store's own (`id` is ignored). One outcome per row
    /// (see `CopyOutcome`): a row whose exact email is stored with the same columns is already
    /// present; one that differs from the stored user with its email, shadows a stored user with an
    /// email equal ignoring ASCII case that is not among the rows, or repeats an earlier row's email
    /// conflicts. All or nothing: while any row conflicts none is written, and the other outcomes say
    /// what the copy would do. A failure writes none.
    func copyUsers(_ rows: [User], completion: @escaping StoreCompletion<[CopyOutcome]>)

    /// A reset by mail, as one write whether or not the email is registered (so neither the answer's
    /// timing nor its shape tells): finds the user the normalized email names (the exact spelling,
    /// else the one stored email equal ignoring ASCII case, as `findUser` does), gives it the reset
    /// token `request.storedToken`, and puts a mail carrying `request.mailedToken` to its stored email
    /// in the outbox, replacing that user's earlier pending mail (its token no longer works); all in
    /// one step. The mail, due at once; nil (and nothing changed for any user) when no user is named,
    /// or when the account is past `request.limit` (counted in the same step, only for a named user).
    /// Whatever later clears that user's reset token (a login, a password update or reset, a cleared
    /// token, the user's removal) drops the mail in the same step: no mail goes out with a token
    /// that no longer works.
    func issueResetTokenByMail(_ request: ResetMailRequest, completion: @escaping StoreCompletion<OutboxMail?>)

    /// The outbox's mails due at `now` (every mail for nil), soonest first, at most `limit`, with
    /// how many wait in all and when the next mail not returned is due. A store shared by several
    /// nodes (PostgreSQL) claims the mails it returns for a lease: until it runs out, or the mail is
    /// deferred, no caller gets them again, so each mail is sent by one node.
    func pendingResetMails(dueAt now: Int64?, limit: Int, completion: @escaping StoreCompletion<OutboxSnapshot>)

    /// Records a failed attempt of mail `id`: its attempt count and next attempt; false when the
    /// mail is no longer in the outbox (sent, dropped or replaced meanwhile).
    func deferResetMail(id: Int64, attempts: Int, nextAttemptAt: Int64, completion: @escaping StoreCompletion<Bool>)

    /// Removes mail `id`, and with it the raw token, from the outbox: the relay accepted it, refused
    /// it, or its token expired. False when it was not there. A write of one shape either way (it
    /// rewrites the request row too, as `issueResetTokenByMail` does): the delivery thread's settling
    /// write after a request for an unknown email costs what a sent mail's removal does.
    func removeResetMail(id: Int64, completion: @escaping StoreCompletion<Bool>)

    /// Renews the claim on mail `id` that a snapshot with `claimedUntil` gave, right before the mail
    /// is sent: true when the claim is still the caller's (another caller can have taken the mail
    /// only once the claim ran out, and then it is not sent twice), false when it is not, or when
    /// the mail is gone. Only stores that claim (a non-nil `claimedUntil`) are asked.
    func renewResetMailClaim(id: Int64, claimedUntil: Int64, completion: @escaping StoreCompletion<Bool>)

    /// The login limits this store keeps for several nodes; nil when each node's own suffice (one
    /// node on an embedded database).
    var sharedLoginLimits: (any SharedLoginLimits)? { get }

    /// Operations waiting to run (a gauge for metrics).
    var queueDepth: Int { get }

    /// Makes operations submitted on the calling thread wake the store's thread only when the
    /// returned closure is called, which that thread must do after each burst of them (a reactor:
    /// at the end of each cycle); nil when the store has no such thread to spare waking.
    func holdWakeups() -> (@Sendable () -> Void)?

    /// The storage's health and fault totals, as last seen; returns at once (never queues).
    var status: StoreStatus { get }

    /// Checks, in the background, that the store still answers; `status` shows the outcome, and
    /// a probe unanswered past its deadline reads as `unavailable`.
    func probe()

    /// Finishes the queued operations and closes the database; later operations fail with
    /// `.closed`. Blocks; call it once nothing submits any more.
    func close()
}

/// How `addUser` compares a new email with the stored ones.
public enum EmailComparison: Sendable {
    /// Byte for byte, as the seed's lookups.
    case exact
    /// Ignoring ASCII case (see `UserStore`), as authd's registrations do.
    case ignoringCase
}

extension EmailComparison {
    /// `email` with ASCII letters lower-cased, every other byte kept: two emails are equal ignoring
    /// case (see `UserStore`) exactly when their keys are equal.
    public static func caseFoldedKey(_ email: String) -> String {
        String(
            decoding: email.utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 },
            as: UTF8.self)
    }
}

extension UserStore {
    public var sharedLoginLimits: (any SharedLoginLimits)? { nil }

    public func holdWakeups() -> (@Sendable () -> Void)? { nil }

    /// A store that does not claim mails (one node) never hands out a claim to renew.
    public func renewResetMailClaim(id: Int64, claimedUntil: Int64, completion: @escaping StoreCompletion<Bool>) {
        completion(.success(true))
    }

    /// Adds a user; `.duplicateEmail` when another user has this exact email.
    public func addUser(email: String, hashedPassword: String, completion: @escaping StoreCompletion<User>) {
        addUser(email: email, hashedPassword: hashedPassword, unique: .exact, completion: completion)
    }
}
