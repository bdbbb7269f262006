/// The users table as atomic domain operations (see `UserStore` for what every store promises):
/// accounts, their password hashes and their reset tokens.
public protocol UserPersister: AnyObject, Sendable {

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

    /// The user holding this reset token, only if its email is `email`; nil otherwise.
    func findUser(resetToken: SecretKey, email: String, completion: @escaping StoreCompletion<User?>)

    /// Gives the user with this email the reset token `token` (in its stored form), issued at `createdAt`, replacing any
    /// earlier one; the user as it is now, nil when the email is not registered.
    func issueResetToken(
        email: String, token: String, createdAt: Int64, completion: @escaping StoreCompletion<User?>)

    /// Clears the reset token `token` if the user with `email` still holds it; whether it did.
    func clearResetToken(_ token: SecretKey, email: String, completion: @escaping StoreCompletion<Bool>)

    /// If the user with `email` still holds reset token `token`: sets the new password hash, clears
    /// the token (single use) and, with `endingSessions`, ends every session of the user, in one
    /// step; the user as it is now, else nil.
    func consumeResetToken(
        _ token: SecretKey, email: String, newHashedPassword: String, endingSessions: Bool,
        completion: @escaping StoreCompletion<User?>)

    /// Every user, oldest first (`authd users list`).
    func listUsers(completion: @escaping StoreCompletion<[User]>)

    /// Removes user `id`, every session of it and its pending reset mail, in one step; the user as it
    /// was, nil when none has this id. By id, so a row whose stored email no email rule can name (the
    /// seed stored any string) can go too.
    func deleteUser(id: Int64, completion: @escaping StoreCompletion<User?>)

    /// Sets the password hash of the user with this exact email to `hash` (stored as the seed stores
    /// it), clears its reset token and ends every session of it, in one step, as a password update does;
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
    /// what the copy would do. With each added row goes its second factor, `secondFactors[row.id]`
    /// (the TOTP sealed again by its `seal` under the new id, and the recovery-code digests), in the
    /// same step; a stored user holds the row only with the row's TOTP enabled or off. A failure
    /// writes none.
    func copyUsers(
        _ rows: [User], secondFactors: [Int64: CopiedSecondFactor], completion: @escaping StoreCompletion<[CopyOutcome]>
    )
}
