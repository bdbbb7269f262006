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

    static func bool(_ name: String) -> Bool {
        guard let value = string(name)?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(value)
    }
}
