/// Why an operator's command (`authd users …`, `authd import`) did nothing; `authd` words each one.
public enum AdminError: Error, Sendable, Equatable {
    /// The email given cannot be one (the sign-up rules, `EmailAddress`).
    case invalidEmail(String, EmailAddress.Invalid)
    /// No user has this email, exactly or as the one stored email equal ignoring case.
    case noSuchUser(String)
    /// No user has this id.
    case noSuchID(Int64)
    /// The new password breaks a rule of sign-up.
    case invalidPassword(PasswordRule)
    /// libcrypt could not hash (its errno).
    case hashFailed(Int32)
    /// The store failed; nothing was changed.
    case store(StoreError)
    /// Users to copy have second factors (this many), sealed under a key, and no keys were given.
    case sealingKeysNeeded(users: Int)
    /// The TOTP secret of the user with this email does not open with the keys given (another
    /// key, or a row altered): it cannot be sealed again for the copy.
    case secretDoesNotOpen(email: String)

    /// The rule a new password broke.
    public enum PasswordRule: Sendable, Equatable {
        case empty
        case tooShort(minimum: Int)
        /// Over bcrypt's 72 bytes.
        case tooLong
        case containsNUL
    }
}
