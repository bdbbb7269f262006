/// One session of a user (one per device), as its owner may see it: never its secret.
public struct Session: Sendable, Equatable {
    /// Its public name.
    public var handle: SessionHandle
    /// The user's row id.
    public var userID: Int64
    /// When it was made, unix milliseconds.
    public var createdAt: Int64
    /// When it was last used as the store knows it, unix milliseconds: written at most once per
    /// activity step (see `Auth`), so it may lag the last request by up to that step.
    public var lastSeenAt: Int64
    /// The client address it was made from.
    public var address: String
    /// The `User-Agent` it was made with, trimmed and bounded (`Session.bounded(userAgent:)`).
    public var userAgent: String
    /// How its holder proved who they are.
    public var assurance: AssuranceLevel

    /// A session value; does not touch the database.
    public init(
        handle: SessionHandle, userID: Int64, createdAt: Int64, lastSeenAt: Int64, address: String,
        userAgent: String, assurance: AssuranceLevel = .password
    ) {
        self.handle = handle
        self.userID = userID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.address = address
        self.userAgent = userAgent
        self.assurance = assurance
    }
}

extension Session {
    /// The most bytes of a `User-Agent` a session keeps: enough to tell browsers and devices apart,
    /// and a row stays small whatever a client sends.
    public static let maximumUserAgentBytes = 256

    /// `userAgent` as a session keeps it: white space trimmed, control characters dropped, cut to
    /// `maximumUserAgentBytes` on a character boundary.
    public static func bounded(userAgent: String) -> String {
        let cleaned = userAgent.unicodeScalars.filter { !$0.properties.generalCategory.isControl }
        var kept = String(String.UnicodeScalarView(cleaned)).trimmingWhiteSpace()
        while kept.utf8.count > maximumUserAgentBytes { kept.removeLast() }
        return kept
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControl: Bool { self == .control || self == .format || self == .lineSeparator }
}

extension String {
    fileprivate func trimmingWhiteSpace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
