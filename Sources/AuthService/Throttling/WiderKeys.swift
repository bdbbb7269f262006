import Glibc

/// The wider blocks a client's throttle key aggregates into when a table is under pressure, finest
/// first: an IPv4 address's /24 then /16, an IPv6 /64's /56 (a site, RFC 6177) then /48. Computed
/// only under pressure, so its parsing costs nothing on the usual path.
enum WiderKeys {
    /// The wider keys of `key` (`192.0.2.7`, or `2001:db8:1:2::/64` as `IPAddress.throttleKey`
    /// writes it); none for anything else, such as an unknown client's empty key.
    static func of(_ key: String) -> [String] {
        if key.hasSuffix("/64") {
            guard let address = bytes(of: String(key.dropLast(3)), family: AF_INET6, count: 16) else { return [] }
            return [56, 48].map { text(of: address, family: AF_INET6, keeping: $0) + "/\($0)" }
        }
        guard let address = bytes(of: key, family: AF_INET, count: 4) else { return [] }
        return [24, 16].map { text(of: address, family: AF_INET, keeping: $0) + "/\($0)" }
    }

    /// The `count` bytes of the address `text` writes in `family`; nil when it writes none.
    private static func bytes(of text: String, family: Int32, count: Int) -> [UInt8]? {
        var address = [UInt8](repeating: 0, count: count)
        let parsed = address.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        return parsed == 1 ? address : nil
    }

    /// The text of `address` with all but its first `bits` (a multiple of 8) cleared.
    private static func text(of address: [UInt8], family: Int32, keeping bits: Int) -> String {
        var masked = address
        for index in (bits / 8)..<masked.count { masked[index] = 0 }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { buffer in
            masked.withUnsafeBytes { bytes in
                guard inet_ntop(family, bytes.baseAddress, buffer.baseAddress, socklen_t(buffer.count)) != nil else {
                    return ""
                }
                return String(cString: buffer.baseAddress!)
            }
        }
    }
}
