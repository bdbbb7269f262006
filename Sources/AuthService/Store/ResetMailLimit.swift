/// How many reset mails one account may be sent, whoever asks: at most `mails` within a `window`
/// counted from the first, and none within `interval` of the last. A request past it changes
/// nothing (the token already mailed stays the one that works) and answers as any other. Counted
/// per account (the email folded as `EmailComparison.caseFoldedKey` folds it) in the store, in the
/// step that issues the token, so nodes sharing a database share it. Durations in milliseconds.
public struct ResetMailLimit: Sendable, Equatable {
    /// Mails per window; 0 turns the limit off.
    public var mails: Int
    public var window: Int64
    public var interval: Int64

    /// No limit: what a request built without one has.
    public static let none = ResetMailLimit(mails: 0, window: 0, interval: 0)

    public init(mails: Int, window: Int64, interval: Int64) {
        self.mails = mails
        self.window = window
        self.interval = interval
    }

    /// One account's count, as the stores keep it (`authd_reset_mail_limits`).
    struct Count: Sendable, Equatable {
        var windowStart: Int64
        var mails: Int
        var last: Int64
    }

    /// The account's count after one more mail at `now` under a limit that is on, or nil when it
    /// refuses the mail: what the in-memory store runs and the SQL stores' upserts do step for step.
    func admit(_ count: Count?, now: Int64) -> Count? {
        guard let count else { return Count(windowStart: now, mails: 1, last: now) }
        guard now - count.last >= interval else { return nil }
        if now - count.windowStart >= window { return Count(windowStart: now, mails: 1, last: now) }
        guard count.mails < mails else { return nil }
        return Count(windowStart: count.windowStart, mails: count.mails + 1, last: now)
    }
}
