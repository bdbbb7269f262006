/// Why a password could not be hashed.
enum PasswordHasherError: Error, Sendable, Equatable {
    /// Over bcrypt's 72-byte limit; refused rather than silently truncated.
    case passwordTooLong
    /// A NUL byte would end the C string early and silently shorten the password.
    case passwordContainsNUL
    /// The cost is outside bcrypt's 4...31.
    case costOutOfRange(Int)
    /// libcrypt refused the setting or failed (its errno).
    case cryptFailed(Int32)
}
