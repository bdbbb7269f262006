import AuthService
import Glibc

/// Reads the `AUTHD_*` variables that stand in for flags.
enum Environment {
    static func string(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }

    static func int(_ name: String) -> Int? {
        string(name).flatMap { Int($0) }
    }

    /// A duration variable (`90`, `15m`, `7d`); nil when unset or unreadable, which the flag's default replaces.
    static func lifetime(_ name: String) -> Lifetime? {
        string(name).flatMap { Lifetime(parsing: $0) }
    }

    static func bool(_ name: String) -> Bool {
        guard let value = string(name)?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(value)
    }
}
