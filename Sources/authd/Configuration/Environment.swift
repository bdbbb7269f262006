import Glibc

/// The variables authd reads: the `AUTHD_*` ones that stand in for flags, and systemd's. An empty
/// variable counts as unset. Read once, at start, on the main thread.
struct Environment: Sendable {
    private let lookup: @Sendable (String) -> String?

    /// This process's variables.
    static let process = Environment { name in getenv(name).map { String(cString: $0) } }

    /// Fixed variables instead of the process's (tests).
    init(_ variables: [String: String]) {
        lookup = { variables[$0] }
    }

    private init(lookup: @escaping @Sendable (String) -> String?) {
        self.lookup = lookup
    }

    /// The variable's text; nil when unset or empty.
    func string(_ name: String) -> String? {
        guard let value = lookup(name), !value.isEmpty else { return nil }
        return value
    }

    /// A number systemd passes (`LISTEN_FDS`, `WATCHDOG_USEC`); nil when unset or not a number: such a
    /// variable is not meant for authd, so it is ignored rather than refused.
    func systemdNumber(_ name: String) -> Int? {
        string(name).flatMap { Int($0) }
    }

    /// The variable read as its flag would read it; nil when unset. A variable set to something its
    /// flag would refuse is refused too: falling back to the default without a word would hide the typo.
    func value<Value: SettingValue>(_ name: String) throws(ConfigurationError) -> Value? {
        guard let text = string(name) else { return nil }
        guard let value = Value(setting: text) else {
            throw .unreadableVariable(name, value: text, expected: Value.expected)
        }
        return value
    }
}
