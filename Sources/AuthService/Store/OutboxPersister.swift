/// The reset-mail outbox as atomic domain operations (see `UserStore` for what every store
/// promises): a mail is queued in the same step as its token, and leaves once sent or dropped.
public protocol OutboxPersister: AnyObject, Sendable {
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
}

extension OutboxPersister {
    /// A store that does not claim mails (one node) never hands out a claim to renew.
    public func renewResetMailClaim(id: Int64, claimedUntil: Int64, completion: @escaping StoreCompletion<Bool>) {
        completion(.success(true))
    }
}
