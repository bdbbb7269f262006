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

/// `--trusted-proxy` and `--throttle-exempt`: addresses and CIDR blocks, comma-separated
/// (`10.0.0.0/8,::1`), or `none` for no address at all (to turn a default list off).
struct AddressList: SettingValue, Equatable {
    var ranges: [AddressRange]

    init?(setting text: String) {
        if text.lowercased() == "none" {
            ranges = []
            return
        }
        var ranges: [AddressRange] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            // Spaces after a comma are allowed (`10.0.0.1, 10.0.0.2`); an empty item is not.
            guard let range = AddressRange(item.drop { $0 == " " }) else { return nil }
            ranges.append(range)
        }
        self.ranges = ranges
    }

    static var expected: String {
        "addresses or CIDR blocks (127.0.0.1, 10.0.0.0/8, 2001:db8::/32), comma-separated, with no bits set past the prefix, or none"
    }
}

/// `--allowed-origin`: origins (`https://app.example.com`), comma-separated, as
/// `CrossSitePolicy.normalizedOrigin` reads them.
struct OriginList: SettingValue, Equatable {
    var origins: [String]

    init?(setting text: String) {
        var origins: [String] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let origin = CrossSitePolicy.normalizedOrigin(String(item.drop { $0 == " " })) else { return nil }
            origins.append(origin)
        }
        self.origins = origins
    }

    static var expected: String {
        "origins (http:// or https:// with a host and optionally a port, no path: https://app.example.com), comma-separated"
    }
}

/// `--portal-url`: `http[s]://host[:port]` (`PortalURL(parsing:)`).
extension PortalURL: SettingValue {
    init?(setting text: String) { self.init(parsing: text) }
    static var expected: String { "an http or https URL of a host (and port), without path or user info" }
}

/// `--cookie-domain`: a DNS name (`HostName(parsing:)`).
extension HostName: SettingValue {
    init?(setting text: String) { self.init(parsing: text) }
    static var expected: String { "a host name: letters, digits, hyphens and dots (punycode for others)" }
}

/// `--allowed-redirect-host`: host names, comma-separated.
struct HostList: SettingValue, Equatable {
    var hosts: [HostName]

    init?(setting text: String) {
        var hosts: [HostName] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let host = HostName(parsing: item.drop { $0 == " " }) else { return nil }
            hosts.append(host)
        }
        self.hosts = hosts
    }

    static var expected: String { "host names (app.example.com), comma-separated" }
}
