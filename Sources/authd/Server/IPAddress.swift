import Glibc

/// An IPv4 or IPv6 address, the 128 bits in two halves. IPv4 is held IPv4-mapped (`::ffff:a.b.c.d`),
/// so one comparison serves both families and a dual-stack socket's mapped peer counts as the IPv4
/// client it is. Parsed and written with `inet_pton`/`inet_ntop`: strict literals, no zone, no DNS.
struct IPAddress: Sendable, Hashable {
    /// Bits 0–63 and 64–127 in network order (the first byte is the top byte of `high`).
    var high: UInt64
    var low: UInt64

    /// The address from its two halves.
    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address from its four bytes in network order.
    init(ipv4 bytes: (UInt8, UInt8, UInt8, UInt8)) {
        high = 0
        low = 0xFFFF_0000_0000 | UInt64(bytes.0) << 24 | UInt64(bytes.1) << 16 | UInt64(bytes.2) << 8 | UInt64(bytes.3)
    }

    /// An address from 4 (IPv4) or 16 (IPv6) bytes in network order; nil for any other count.
    init?(networkBytes bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 4:
            self.init(ipv4: (bytes[0], bytes[1], bytes[2], bytes[3]))
        case 16:
            var high: UInt64 = 0
            var low: UInt64 = 0
            for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
            for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
            self.init(high: high, low: low)
        default:
            return nil
        }
    }

    /// The address a literal names: dotted IPv4 (`192.0.2.7`) or IPv6 (`2001:db8::7`,
    /// `::ffff:192.0.2.7`); nil for anything else, brackets, ports and zones included.
    init?(_ text: some StringProtocol) {
        var text = String(text)
        let parsed: IPAddress? = text.withUTF8 { IPAddress(literal: UnsafeRawBufferPointer($0)) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// As `init(_:)`, from the bytes of a literal (a header element, a PROXY v1 field); no String is made.
    init?(literal bytes: UnsafeRawBufferPointer) {
        // The longest literal inet_ntop writes is 45 bytes (INET6_ADDRSTRLEN less the NUL).
        guard !bytes.isEmpty, bytes.count < Int(INET6_ADDRSTRLEN) else { return nil }
        let isIPv6 = bytes.contains(UInt8(ascii: ":"))
        let parsed: IPAddress? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) {
            text in
            for (i, b) in bytes.enumerated() { text[i] = CChar(bitPattern: b) }
            text[bytes.count] = 0
            var storage = in6_addr()
            return withUnsafeMutableBytes(of: &storage) { raw in
                guard inet_pton(isIPv6 ? AF_INET6 : AF_INET, text.baseAddress, raw.baseAddress) == 1 else { return nil }
                return IPAddress(networkBytes: UnsafeRawBufferPointer(rebasing: raw[..<(isIPv6 ? 16 : 4)]))
            }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// True for an IPv4 address (held mapped).
    var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// The address as text: dotted for IPv4 (a mapped address too), RFC 5952 form for IPv6.
    var text: String {
        isIPv4 ? Self.format(family: AF_INET, self) : Self.format(family: AF_INET6, self)
    }

    /// What per-client limits count this client under: an IPv4 address alone, an IPv6 address as
    /// its /64 (`2001:db8:1:2::/64`), the block RFC 6177 gives one end site, which can rotate
    /// through the rest of it at will.
    var throttleKey: String {
        isIPv4 ? text : Self.format(family: AF_INET6, IPAddress(high: high, low: 0)) + "/64"
    }

    /// The address with every bit past the first `bits` (0...128) cleared.
    func masked(to bits: Int) -> IPAddress {
        let highMask: UInt64 = bits >= 64 ? .max : ~0 << (64 - bits)
        let lowMask: UInt64 = bits <= 64 ? 0 : ~0 << (128 - bits)
        return IPAddress(high: high & highMask, low: low & lowMask)
    }

    private static func format(family: Int32, _ address: IPAddress) -> String {
        var bytes = (address.high.bigEndian, address.low.bigEndian)
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { text in
            let written = withUnsafeBytes(of: &bytes) { raw in
                // The IPv4 address is the last four bytes of the mapped form.
                inet_ntop(
                    family, raw.baseAddress! + (family == AF_INET ? 12 : 0), text.baseAddress, socklen_t(text.count))
            }
            guard written != nil else { return "" }
            return String(cString: text.baseAddress!)
        }
    }
}

/// A block of addresses, `10.0.0.0/8` or `2001:db8::/32`, or one address (`127.0.0.1` is
/// `127.0.0.1/32`): who is a trusted proxy, who is exempt from per-client limits.
struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block.
    let network: IPAddress
    /// Leading bits that must match, counted over the 128-bit form (an IPv4 /8 is 104).
    let prefixLength: Int

    /// Reads `address` or `address/length`; nil for anything else, and for a block with bits set
    /// past its prefix (`10.0.0.1/8`): such a typo would otherwise trust more or less than meant.
    init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let familyBits = address.isIPv4 && !parts[0].contains(":") ? 32 : 128
        var length = familyBits
        if parts.count == 2 {
            guard let given = Int(parts[1]), parts[1].allSatisfy(\.isASCII), parts[1].first != "+",
                (0...familyBits).contains(given)
            else { return nil }
            length = given
        }
        prefixLength = 128 - familyBits + length
        network = address
        guard address.masked(to: prefixLength) == address else { return nil }
    }

    /// Whether `address` lies in the block.
    func contains(_ address: IPAddress) -> Bool {
        address.masked(to: prefixLength) == network
    }

    /// The block as its flag takes it: one address alone, a block with its prefix length.
    var description: String {
        let ipv4 = network.isIPv4 && prefixLength >= 96
        let length = ipv4 ? prefixLength - 96 : prefixLength
        return length == (ipv4 ? 32 : 128) ? network.text : "\(network.text)/\(length)"
    }
}
