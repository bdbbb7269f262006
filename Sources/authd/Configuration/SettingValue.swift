import AuthService
import Logging

/// A kind of value a flag and its `AUTHD_*` variable take, read by the same rule from either.
protocol SettingValue {
    /// Reads `text` (already known not to be empty); nil when it is not such a value.
    init?(setting text: String)
    /// What a readable value looks like, for the message that refuses an unreadable one.
    static var expected: String { get }
}

extension String: SettingValue {
    init?(setting text: String) { self = text }
    static var expected: String { "text" }
}

/// As ArgumentParser reads an `Int` flag.
extension Int: SettingValue {
    init?(setting text: String) { self.init(text) }
    static var expected: String { "a whole number" }
}

/// For the on/off variables (`AUTHD_COOKIE_SECURE`); their flags are present or absent.
extension Bool: SettingValue {
    private static let yes: Set = ["1", "true", "yes", "on"]
    private static let no: Set = ["0", "false", "no", "off"]

    init?(setting text: String) {
        let word = text.lowercased()
        if Self.yes.contains(word) { self = true } else if Self.no.contains(word) { self = false } else { return nil }
    }

    static var expected: String { "on or off: 1, true, yes, on, 0, false, no or off" }
}

/// `90`, `90s`, `15m`, `2h`, `7d` (`Lifetime(parsing:)`).
extension Lifetime: SettingValue {
    init?(setting text: String) { self.init(parsing: text) }
    static var expected: String { "a duration: a positive number of seconds, or with s, m, h or d" }
}

/// `response` or `smtp://HOST:PORT` (`ResetDelivery(parsing:)`).
extension ResetDelivery: SettingValue {
    init?(setting text: String) { self.init(parsing: text) }
    static var expected: String { "response or smtp://HOST:PORT" }
}

/// As ArgumentParser reads `--log-level` (its raw value).
extension Logger.Level: SettingValue {
    init?(setting text: String) { self.init(rawValue: text) }
    static var expected: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
}
