// Only for `precomposedStringWithCanonicalMapping` (Unicode NFC), as in `EmailAddress`.
import Foundation

/// The bytes bcrypt is given for a password (NIST 800-63B 5.1.1.2: normalise before hashing). A new
/// password is hashed in Unicode NFC, so that an `é` typed as one scalar or as `e` and a combining
/// accent is one password. A login tries the password as typed first (what the seed's service,
/// which never normalised, hashed), then its NFC form when that differs: an ASCII or already-NFC
/// password (nearly every one) costs one bcrypt run as before, and only one typed in another form
/// costs two, for a known and an unknown email alike (see `Auth.verify`).
enum PasswordForm {
    /// The form a new password is hashed in: NFC.
    static func new(_ password: String) -> String {
        isASCII(password) ? password : password.precomposedStringWithCanonicalMapping
    }

    /// The forms a login tries, in order: as typed, then NFC when its bytes differ.
    static func tried(_ password: String) -> [String] {
        guard !isASCII(password) else { return [password] }
        let normalized = password.precomposedStringWithCanonicalMapping
        // Bytes, not `==`: Swift compares strings by canonical equivalence.
        return normalized.utf8.elementsEqual(password.utf8) ? [password] : [password, normalized]
    }

    private static func isASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }
}
