/// One row of a user file to import: the email as given and its bcrypt hash, with the row's line
/// number for the report.
public struct ImportRow: Sendable, Equatable {
    public var line: Int
    public var email: String
    public var hashedPassword: String

    public init(line: Int, email: String, hashedPassword: String) {
        self.line = line
        self.email = email
        self.hashedPassword = hashedPassword
    }
}

/// Why a row was skipped.
public enum ImportRejection: Sendable, Equatable {
    /// The line does not hold exactly two fields (how many it holds), or its quoting is broken (nil).
    case fieldCount(Int?)
    /// The line is not valid UTF-8.
    case notUTF8
    /// The email cannot be one (the sign-up rules).
    case invalidEmail(EmailAddress.Invalid)
    /// The second field is not a bcrypt hash (`$2a$`, `$2b$` or `$2y$`, a cost of 4...31, 53 characters of salt and hash).
    case notABcryptHash
    /// An earlier row of the file has this email ignoring case (its line).
    case duplicateOfLine(Int)
    /// A stored user has this email ignoring case.
    case alreadyRegistered
}

/// What an import did: the users added and the rows skipped, each by line, in file order.
public struct ImportReport: Sendable, Equatable {
    public var added: [(line: Int, user: User)]
    public var skipped: [(line: Int, reason: ImportRejection)]

    public static func == (left: ImportReport, right: ImportReport) -> Bool {
        left.added.elementsEqual(right.added) { $0.line == $1.line && $0.user == $1.user }
            && left.skipped.elementsEqual(right.skipped) { $0.line == $1.line && $0.reason == $1.reason }
    }
}
