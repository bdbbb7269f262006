// Only for `precomposedStringWithCanonicalMapping` (Unicode NFC), which the standard library does
// not offer publicly; nothing else of Foundation is used in AuthService.
import Foundation

/// An email as authd stores, looks up and throttles it: trimmed of surrounding white space, the
/// domain lower-cased (Django's `normalize_email`), in Unicode NFC, so that `" Victim@X.test"` and
/// `"Victim@x.test"`, or an NFD and an NFC `é`, are one address. Refuses what cannot be an address:
/// over 250 bytes, not exactly one `@` with text on both sides, white space, control or format
/// characters inside. The local part keeps its case: the seed compares emails as stored, and whether
/// two stored emails are one account ignoring case is the store's ASCII comparison (see `UserStore`).
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The longest normalized email, in UTF-8 bytes: the seed's column is `VARCHAR(250)`.
    public static let maximumBytes = 250

    /// Why a string is not an email; `Routes/` gives each its message.
    public enum Invalid: Error, Sendable, Equatable {
        /// Longer than `maximumBytes` once normalized.
        case tooLong
        /// No `@`, or more than one (the count found).
        case atSignCount(Int)
        /// Nothing before the `@`.
        case emptyLocalPart
        /// Nothing after the `@`.
        case emptyDomain
        /// A white-space character inside (surrounding ones are trimmed).
        case whiteSpace
        /// A control character (NUL, CR, LF, DEL…) or an invisible format character (U+200B zero
        /// width space, U+FEFF, bidirectional controls…).
        case controlCharacter
    }

    /// The normalized form: what is stored, looked up, answered and used as a throttle key.
    public let normalized: String

    public var description: String { normalized }

    /// Normalizes `given`, or throws why it cannot be an email.
    public init(_ given: String) throws(Invalid) {
        let scalars = given.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else {
            throw .atSignCount(0)
        }
        let trimmed = Substring(scalars[first...last])
        // NFC shortens a text by a factor of 3 at most (Hangul jamo), so past 4× the limit nothing
        // can fit: a 60 kB field is refused before any normalization work.
        guard trimmed.utf8.count <= Self.maximumBytes * 4 else { throw .tooLong }
        var atSign: Substring.UnicodeScalarView.Index?
        var atSigns = 0
        for index in trimmed.unicodeScalars.indices {
            let scalar = trimmed.unicodeScalars[index]
            switch scalar.properties.generalCategory {
            case .control, .format: throw .controlCharacter
            default: break
            }
            if scalar.properties.isWhitespace { throw .whiteSpace }
            if scalar == "@" {
                atSigns += 1
                atSign = index
            }
        }
        guard atSigns == 1, let atSign else { throw .atSignCount(atSigns) }
        let local = String(trimmed.unicodeScalars[..<atSign])
        let domain = String(trimmed.unicodeScalars[trimmed.unicodeScalars.index(after: atSign)...])
        guard !local.isEmpty else { throw .emptyLocalPart }
        guard !domain.isEmpty else { throw .emptyDomain }
        // Lower-casing can leave a text that is not NFC, so NFC comes last.
        let normalized = (local + "@" + domain.lowercased()).precomposedStringWithCanonicalMapping
        guard normalized.utf8.count <= Self.maximumBytes else { throw .tooLong }
        self.normalized = normalized
    }
}
