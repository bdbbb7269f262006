import Glibc

/// The wider blocks a client's throttle key aggregates into when a table is under pressure, finest
/// first: an IPv4 address's /24 then /16, an IPv6 /64's /56 (a site, RFC 6177) then /48. Computed
/// only under pressure, so its parsing costs nothing on the usual path.
enum WiderKeys {
    /// The wider keys of `key` (`192.0.2.7`, or `2001:db8:1:2::/64` as `IPAddress.throttleKey`
    /// writes it); none for anything else, such as an unknown client's empty key.
    static func of(_ key: String) -> [String] {
        if key.hasSuffix("/64") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, String(key.dropLast(3)), &address) == 1 else { return [] }
            return [56, 48].map { bits in
                var masked = address
                withUnsafeMutableBytes(of: &masked) { bytes in
                    for index in (bits / 8)..<16 { bytes[index] = 0 }
                }
                return text(family: AF_INET6, &masked) + "/\(bits)"
            }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, key, &address) == 1 else { return [] }
        return [24, 16].map { bits in
            var masked = address
            withUnsafeMutableBytes(of: &masked) { bytes in
                for index in (bits / 8)..<4 { bytes[index] = 0 }
            }
            return text(family: AF_INET, &masked) + "/\(bits)"
        }
    }

    private static func text<Address>(family: Int32, _ address: inout Address) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { buffer in
            guard inet_ntop(family, &address, buffer.baseAddress, socklen_t(buffer.count)) != nil else { return "" }
            return String(cString: buffer.baseAddress!)
        }
    }
}
