/// What a PROXY protocol header says about the connection it starts.
enum ProxyHeader: Sendable, Equatable {
    /// The proxy's own connection (v2 `LOCAL`, a health check; v1 `UNKNOWN`; v2 `UNSPEC`): the
    /// peer is the client.
    case local
    /// A connection the proxy accepted from `source`, the client.
    case client(IPAddress)
}

/// Why the bytes that start a connection are not an acceptable PROXY header; one case per rule.
enum ProxyHeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The first bytes are neither the v1 `PROXY ` nor the v2 signature.
    case notProxyHeader
    /// v1: no line end within the 107 bytes the protocol allows.
    case v1LineTooLong
    /// v1: the line ends in a bare LF, not CRLF.
    case v1BadLineEnd
    /// v1: the protocol is not `TCP4`, `TCP6` or `UNKNOWN`.
    case v1UnknownProtocol
    /// v1: not exactly `PROXY proto source destination source-port destination-port`, single spaces.
    case v1BadFields
    /// v1: an address is not a literal of the protocol's family.
    case v1BadAddress
    /// v1: a port is not a decimal number within 0...65535.
    case v1BadPort
    /// v2: the version is not 2.
    case v2BadVersion
    /// v2: the command is neither `LOCAL` nor `PROXY`.
    case v2BadCommand
    /// v2: the address family and transport byte is none the protocol defines.
    case v2BadFamily
    /// v2: a defined family that is not TCP over IPv4 or IPv6 (UDP, UNIX sockets): no IP client.
    case v2UnsupportedFamily
    /// v2: the address block is shorter than its family's addresses.
    case v2AddressesTooShort

    /// What the operator's log says.
    var description: String {
        switch self {
        case .notProxyHeader: "no PROXY header"
        case .v1LineTooLong: "a PROXY v1 line longer than 107 bytes"
        case .v1BadLineEnd: "a PROXY v1 line not ending in CRLF"
        case .v1UnknownProtocol: "a PROXY v1 protocol other than TCP4, TCP6 or UNKNOWN"
        case .v1BadFields: "a PROXY v1 line without its five fields"
        case .v1BadAddress: "a PROXY v1 address that is not one of its protocol"
        case .v1BadPort: "a PROXY v1 port out of range"
        case .v2BadVersion: "a PROXY header of a version other than 1 or 2"
        case .v2BadCommand: "a PROXY v2 command other than LOCAL or PROXY"
        case .v2BadFamily: "an unknown PROXY v2 address family"
        case .v2UnsupportedFamily: "a PROXY v2 family other than TCP over IPv4 or IPv6"
        case .v2AddressesTooShort: "a PROXY v2 address block too short for its family"
        }
    }
}

/// Reads the PROXY protocol header (HAProxy's `proxy-protocol.txt`, v1 text and v2 binary) that a
/// trusted proxy sends before the first request, naming the client it accepted. Pure bytes, in the
/// style of `RequestParser`: the caller passes every byte received so far, from the start of the
/// connection, and the parser resumes where it stopped; a v1 line is searched for its end once.
/// Loop thread only, like its connection.
struct ProxyHeaderParser: Sendable {
    /// The result of one call.
    enum Outcome: Sendable, Equatable {
        /// Not complete yet: call again with the same bytes and more.
        case needMore
        /// A complete header of `consumed` bytes; what follows is the first request.
        case header(ProxyHeader, consumed: Int)
        /// Not an acceptable header: close the connection.
        case error(ProxyHeaderError)
    }

    /// How the first bytes of a connection compare with the two signatures.
    enum Signature: Sendable, Equatable {
        /// Too few bytes to tell: each matches a signature so far.
        case partial
        /// Neither signature.
        case none
        case v1
        case v2
    }

    static let v1Signature: [UInt8] = Array("PROXY ".utf8)
    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    /// The longest v1 line, CRLF included.
    static let v1MaxLength = 107
    /// The fixed part of a v2 header: signature, version and command, family, length.
    static let v2FixedLength = 16

    /// Bytes already searched for the v1 line feed.
    private var scanned = 0

    /// A parser for a new connection.
    init() {}

    /// Which signature `bytes`, the first bytes of a connection, begin with.
    static func signature(_ bytes: UnsafeRawBufferPointer) -> Signature {
        func compare(_ signature: [UInt8]) -> Signature? {
            let n = min(bytes.count, signature.count)
            for i in 0..<n where bytes[i] != signature[i] { return Signature.none }
            return n == signature.count ? nil : .partial
        }
        let v1 = compare(v1Signature)
        let v2 = compare(v2Signature)
        if v1 == nil { return .v1 }
        if v2 == nil { return .v2 }
        return v1 == .partial || v2 == .partial ? .partial : .none
    }

    /// Parses the header at the start of `buffer`, every byte of the connection so far.
    mutating func parse(_ buffer: UnsafeRawBufferPointer) -> Outcome {
        switch Self.signature(buffer) {
        case .partial: return .needMore
        case .none: return .error(.notProxyHeader)
        case .v1: return parseV1(buffer)
        case .v2: return Self.parseV2(buffer)
        }
    }

    // MARK: v1

    private mutating func parseV1(_ buffer: UnsafeRawBufferPointer) -> Outcome {
        let limit = min(buffer.count, Self.v1MaxLength)
        while scanned < limit, buffer[scanned] != 0x0A { scanned += 1 }
        guard scanned < limit else { return buffer.count >= Self.v1MaxLength ? .error(.v1LineTooLong) : .needMore }
        guard buffer[scanned - 1] == 0x0D else { return .error(.v1BadLineEnd) }
        let line = UnsafeRawBufferPointer(rebasing: buffer[Self.v1Signature.count..<(scanned - 1)])
        let consumed = scanned + 1
        let fields = line.split(separator: 0x20, omittingEmptySubsequences: false)
        let proto = fields[0]
        // UNKNOWN: "the receiver must ignore anything presented before the CRLF".
        if proto.elementsEqual("UNKNOWN".utf8) { return .header(.local, consumed: consumed) }
        let ipv6: Bool
        if proto.elementsEqual("TCP4".utf8) {
            ipv6 = false
        } else if proto.elementsEqual("TCP6".utf8) {
            ipv6 = true
        } else {
            return .error(.v1UnknownProtocol)
        }
        guard fields.count == 5, fields.allSatisfy({ !$0.isEmpty }) else { return .error(.v1BadFields) }
        guard let source = Self.address(fields[1], ipv6: ipv6), Self.address(fields[2], ipv6: ipv6) != nil else {
            return .error(.v1BadAddress)
        }
        guard Self.isPort(fields[3]), Self.isPort(fields[4]) else { return .error(.v1BadPort) }
        return .header(.client(source), consumed: consumed)
    }

    /// A literal of the family the protocol names (`TCP4` takes no IPv6 literal, nor the reverse).
    private static func address(_ field: Slice<UnsafeRawBufferPointer>, ipv6: Bool) -> IPAddress? {
        guard field.contains(UInt8(ascii: ":")) == ipv6 else { return nil }
        return IPAddress(literal: UnsafeRawBufferPointer(rebasing: field))
    }

    private static func isPort(_ field: Slice<UnsafeRawBufferPointer>) -> Bool {
        guard field.count <= 5, field.allSatisfy({ (0x30...0x39).contains($0) }) else { return false }
        return field.reduce(0) { $0 * 10 + Int($1 - 0x30) } <= 65535
    }

    // MARK: v2

    private static func parseV2(_ buffer: UnsafeRawBufferPointer) -> Outcome {
        // Each byte is judged as soon as it arrives: a bad header closes without waiting for its block.
        if buffer.count > 12 {
            let versionAndCommand = buffer[12]
            guard versionAndCommand >> 4 == 2 else { return .error(.v2BadVersion) }
            guard versionAndCommand & 0x0F <= 1 else { return .error(.v2BadCommand) }
        }
        let local = buffer.count > 12 && buffer[12] & 0x0F == 0
        var addressLength = 0
        if buffer.count > 13, !local {
            // LOCAL: "the receiver must … discard the protocol block including the family".
            switch buffer[13] {
            case 0x00: addressLength = 0
            case 0x11: addressLength = 12
            case 0x21: addressLength = 36
            case 0x12, 0x22, 0x31, 0x32: return .error(.v2UnsupportedFamily)
            default: return .error(.v2BadFamily)
            }
        }
        guard buffer.count >= v2FixedLength else { return .needMore }
        let length = Int(buffer[14]) << 8 | Int(buffer[15])
        guard length >= addressLength else { return .error(.v2AddressesTooShort) }
        let total = v2FixedLength + length
        guard buffer.count >= total else { return .needMore }
        // What follows the addresses (TLVs: ALPN, authority, TLS details) is not needed here.
        switch addressLength {
        case 12:
            return .header(
                .client(IPAddress(networkBytes: UnsafeRawBufferPointer(rebasing: buffer[16..<20]))!), consumed: total)
        case 36:
            return .header(
                .client(IPAddress(networkBytes: UnsafeRawBufferPointer(rebasing: buffer[16..<32]))!), consumed: total)
        default:
            return .header(.local, consumed: total)
        }
    }
}
