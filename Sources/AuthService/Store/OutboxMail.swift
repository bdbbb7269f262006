/// A reset mail waiting in the outbox (`authd_outbox`): what the mail needs, and when to try it.
/// It holds the raw token, since the mail must carry it: while a mail is pending, whoever reads the
/// database can use that one token (until it is used or expires). The row goes once the relay
/// accepted the mail, refused it, or the token expired.
public struct OutboxMail: Sendable, Equatable {
    /// The row id.
    public var id: Int64
    /// The user the token was issued to.
    public var userID: Int64
    /// The address to send to: the user's email as stored.
    public var recipient: String
    /// The raw reset token the mail carries (the user row holds its stored form).
    public var token: String
    /// The address of the client that asked, for the audit log.
    public var requestedBy: String
    /// When the token was issued, unix milliseconds.
    public var createdAt: Int64
    /// When the token expires and the mail is dropped if still unsent, unix milliseconds.
    public var expiresAt: Int64
    /// Delivery attempts made so far.
    public var attempts: Int
    /// When the next attempt is due, unix milliseconds.
    public var nextAttemptAt: Int64

    /// A mail value; does not touch the database.
    public init(
        id: Int64, userID: Int64, recipient: String, token: String, requestedBy: String, createdAt: Int64,
        expiresAt: Int64, attempts: Int = 0, nextAttemptAt: Int64
    ) {
        self.id = id
        self.userID = userID
        self.recipient = recipient
        self.token = token
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }
}

/// A reset request for `issueResetTokenByMail`: the token in both forms and its times.
public struct ResetMailRequest: Sendable, Equatable {
    /// The normalized email asked for; the user is found exactly, else the one equal ignoring case.
    public var email: String
    /// The token as the user row keeps it (its digest, or itself with plain tokens).
    public var storedToken: String
    /// The raw token, for the mail.
    public var mailedToken: String
    /// The address of the client that asked.
    public var requestedBy: String
    /// When the token is issued, unix milliseconds; also the mail's first attempt.
    public var createdAt: Int64
    /// When it expires, unix milliseconds.
    public var expiresAt: Int64
    /// The limit on mails to the named account (`ResetMailLimit.none` for none).
    public var limit: ResetMailLimit

    public init(
        email: String, storedToken: String, mailedToken: String, requestedBy: String, createdAt: Int64,
        expiresAt: Int64,
        limit: ResetMailLimit = .none
    ) {
        self.email = email
        self.storedToken = storedToken
        self.mailedToken = mailedToken
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.limit = limit
    }

    /// The key the account's mails are counted under: the email folded as logins fold it.
    var account: String { EmailComparison.caseFoldedKey(email) }
}

/// What `pendingResetMails` finds: the mails due, how many wait in all, and when the next one not due is.
public struct OutboxSnapshot: Sendable, Equatable {
    /// The mails due, soonest first.
    public var due: [OutboxMail]
    /// Mails in the outbox, due or not.
    public var pending: Int
    /// The earliest next attempt among the mails not in `due`; nil when there are none.
    public var nextAttemptAt: Int64?
    /// Until when `due` is claimed for this caller (several nodes: `renewResetMailClaim` before each
    /// send); nil when the store does not claim (one node).
    public var claimedUntil: Int64?

    public init(due: [OutboxMail], pending: Int, nextAttemptAt: Int64?, claimedUntil: Int64? = nil) {
        self.due = due
        self.pending = pending
        self.nextAttemptAt = nextAttemptAt
        self.claimedUntil = claimedUntil
    }
}
