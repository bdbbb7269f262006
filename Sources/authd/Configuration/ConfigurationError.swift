/// A setting authd will not start with. Its description is the one line authd exits with, and names
/// the setting: the variable for one that cannot be read, the flag for a value out of range.
/// (Auth's own settings are refused by `AuthStartupError` the same way.)
enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// An `AUTHD_*` variable holds what its flag would refuse: the variable, its text, what it must look like.
    case unreadableVariable(String, value: String, expected: String)
    /// One of authd's own settings breaks its rule: the setting by its flag name, its value, the rule.
    case invalidSetting(String, value: String, rule: String)

    var description: String {
        switch self {
        case let .unreadableVariable(name, value, expected): "\(name)='\(value)' is not \(expected)"
        case let .invalidSetting(flag, value, rule): "\(flag) \(value) \(rule)"
        }
    }
}
