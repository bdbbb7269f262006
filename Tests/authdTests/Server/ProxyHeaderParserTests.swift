import Testing

@testable import authd

/// The PROXY protocol header, v1 and v2, as `HTTPConnection` feeds it: every byte of the
/// connection so far, again and again as more arrive.
@Suite struct ProxyHeaderParserTests {
    static let request = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)

    /// Parses `bytes` offered whole, in one call.
    private func parse(_ bytes: [UInt8]) -> ProxyHeaderParser.Outcome {
        var parser = ProxyHeaderParser()
        return bytes.withUnsafeBytes { parser.parse($0) }
    }

    /// Offers `bytes` the way a connection does when they arrive in two reads split at `split`:
    /// the first part, then everything. Returns the last outcome (or the first, if it settled).
    private func parse(_ bytes: [UInt8], splitAt split: Int) -> ProxyHeaderParser.Outcome {
        var parser = ProxyHeaderParser()
        let first = Array(bytes[..<split]).withUnsafeBytes { parser.parse($0) }
        guard first == .needMore else { return first }
        return bytes.withUnsafeBytes { parser.parse($0) }
    }

    /// Offers `bytes` one more byte at a time, as a slow proxy would send them.
    private func parseByteByByte(_ bytes: [UInt8]) -> ProxyHeaderParser.Outcome {
        var parser = ProxyHeaderParser()
        for end in 1...bytes.count {
            let outcome = Array(bytes[..<end]).withUnsafeBytes { parser.parse($0) }
            if outcome != .needMore { return outcome }
        }
        return .needMore
    }

    static func v1(_ line: String) -> [UInt8] { Array(line.utf8) }

    static func v2(command: UInt8 = 0x21, family: UInt8, addresses: [UInt8], extra: [UInt8] = []) -> [UInt8] {
        let block = addresses + extra
        return ProxyHeaderParser.v2Signature + [command, family, UInt8(block.count >> 8), UInt8(block.count & 0xFF)]
            + block
    }

    static let tcp4Addresses: [UInt8] = [203, 0, 113, 7, 127, 0, 0, 1, 0x12, 0x67, 0x13, 0x88]
    static let tcp6Addresses: [UInt8] =
        [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2] + Array(repeating: 0, count: 7) + [0x99]
        + Array(repeating: 0, count: 15) + [1] + [0x12, 0x67, 0x13, 0x88]

    // MARK: v1

    @Test func aV1TCP4HeaderNamesItsSourceAndEndsAtItsCRLF() {
        let header = Self.v1("PROXY TCP4 203.0.113.7 127.0.0.1 4711 5000\r\n")
        #expect(parse(header + Self.request) == .header(.client(IPAddress("203.0.113.7")!), consumed: header.count))
    }

    @Test func aV1TCP6HeaderNamesItsSource() {
        let header = Self.v1("PROXY TCP6 2001:db8:1:2::99 ::1 4711 5000\r\n")
        #expect(parse(header) == .header(.client(IPAddress("2001:db8:1:2::99")!), consumed: header.count))
    }

    @Test func aV1UnknownHeaderLeavesThePeerAsTheClient() {
        #expect(parse(Self.v1("PROXY UNKNOWN\r\n")) == .header(.local, consumed: 15))
        let long = Self.v1("PROXY UNKNOWN ffff:f::ffff:ffff ffff:f::ffff:ffff 65535 65535\r\n")
        #expect(parse(long) == .header(.local, consumed: long.count))
    }

    @Test func theLongestV1LinesAreAccepted() {
        let address = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
        let unknown = Self.v1("PROXY UNKNOWN \(address) \(address) 65535 65535\r\n")
        #expect(unknown.count == ProxyHeaderParser.v1MaxLength)
        #expect(parse(unknown) == .header(.local, consumed: 107))
        let tcp6 = Self.v1("PROXY TCP6 \(address) \(address) 65535 65535\r\n")
        #expect(parse(tcp6) == .header(.client(IPAddress(address)!), consumed: tcp6.count))
    }

    @Test(arguments: [
        ("PROXY TCP4 203.0.113.7 127.0.0.1 4711 5000\n", ProxyHeaderError.v1BadLineEnd),
        ("PROXY UDP4 203.0.113.7 127.0.0.1 4711 5000\r\n", .v1UnknownProtocol),
        ("PROXY tcp4 203.0.113.7 127.0.0.1 4711 5000\r\n", .v1UnknownProtocol),
        ("PROXY \r\n", .v1UnknownProtocol),
        ("PROXY TCP4 203.0.113.7 127.0.0.1 4711\r\n", .v1BadFields),
        ("PROXY TCP4 203.0.113.7 127.0.0.1 4711 5000 6\r\n", .v1BadFields),
        ("PROXY TCP4 203.0.113.7  127.0.0.1 4711 5000\r\n", .v1BadFields),
        ("PROXY TCP4 203.0.113.7 127.0.0.1 4711 5000 \r\n", .v1BadFields),
        ("PROXY TCP4 2001:db8::1 127.0.0.1 4711 5000\r\n", .v1BadAddress),
        ("PROXY TCP6 203.0.113.7 ::1 4711 5000\r\n", .v1BadAddress),
        ("PROXY TCP4 203.0.113.7 localhost 4711 5000\r\n", .v1BadAddress),
        ("PROXY TCP4 203.0.113.999 127.0.0.1 4711 5000\r\n", .v1BadAddress),
        ("PROXY TCP4 203.0.113.7 127.0.0.1 65536 5000\r\n", .v1BadPort),
        ("PROXY TCP4 203.0.113.7 127.0.0.1 4711 -1\r\n", .v1BadPort),
        ("PROXY TCP4 203.0.113.7 127.0.0.1 4711 123456\r\n", .v1BadPort),
        ("GET / HTTP/1.1\r\n", .notProxyHeader),
        ("PROXz TCP4\r\n", .notProxyHeader),
        ("proxy TCP4\r\n", .notProxyHeader),
    ])
    func eachMalformedV1HeaderIsItsOwnRefusal(line: String, error: ProxyHeaderError) {
        #expect(parse(Self.v1(line)) == .error(error))
    }

    @Test func aV1LineWithNoEndWithin107BytesIsRefusedAtByte107() {
        let endless = Self.v1("PROXY TCP4 " + String(repeating: "1", count: 200))
        #expect(parse(Array(endless[..<106])) == .needMore)
        #expect(parse(Array(endless[..<107])) == .error(.v1LineTooLong))
        #expect(parse(endless) == .error(.v1LineTooLong))
    }

    // MARK: v2

    @Test func aV2TCP4HeaderNamesItsSource() {
        let header = Self.v2(family: 0x11, addresses: Self.tcp4Addresses)
        #expect(header.count == 28)
        #expect(parse(header + Self.request) == .header(.client(IPAddress("203.0.113.7")!), consumed: 28))
    }

    @Test func aV2TCP6HeaderNamesItsSource() {
        let header = Self.v2(family: 0x21, addresses: Self.tcp6Addresses)
        #expect(parse(header) == .header(.client(IPAddress("2001:db8:1:2::99")!), consumed: 52))
    }

    @Test func tlvsAfterTheAddressesAreSkipped() {
        let tlvs: [UInt8] = [0x01, 0x00, 0x02, 0x68, 0x32, 0x04, 0x00, 0x01, 0x00]
        let header = Self.v2(family: 0x11, addresses: Self.tcp4Addresses, extra: tlvs)
        #expect(parse(header + Self.request) == .header(.client(IPAddress("203.0.113.7")!), consumed: 28 + tlvs.count))
    }

    @Test func aV2LocalHeaderLeavesThePeerAsTheClientWhateverItsFamily() {
        #expect(
            parse(ProxyHeaderParserTests.v2(command: 0x20, family: 0x00, addresses: []))
                == .header(.local, consumed: 16))
        // LOCAL: "discard the protocol block including the family", even one not defined.
        #expect(
            parse(ProxyHeaderParserTests.v2(command: 0x20, family: 0x11, addresses: Self.tcp4Addresses))
                == .header(.local, consumed: 28))
        #expect(
            parse(ProxyHeaderParserTests.v2(command: 0x20, family: 0x77, addresses: [1, 2]))
                == .header(.local, consumed: 18))
    }

    @Test func aV2ProxyHeaderOfAnUnspecifiedFamilyLeavesThePeerAsTheClient() {
        #expect(parse(ProxyHeaderParserTests.v2(family: 0x00, addresses: [])) == .header(.local, consumed: 16))
    }

    @Test(arguments: [
        (
            ProxyHeaderParserTests.v2(command: 0x11, family: 0x11, addresses: Self.tcp4Addresses),
            ProxyHeaderError.v2BadVersion
        ),
        (ProxyHeaderParserTests.v2(command: 0x31, family: 0x11, addresses: Self.tcp4Addresses), .v2BadVersion),
        (ProxyHeaderParserTests.v2(command: 0x22, family: 0x11, addresses: Self.tcp4Addresses), .v2BadCommand),
        (ProxyHeaderParserTests.v2(command: 0x2F, family: 0x11, addresses: Self.tcp4Addresses), .v2BadCommand),
        (ProxyHeaderParserTests.v2(family: 0x13, addresses: Self.tcp4Addresses), .v2BadFamily),
        (ProxyHeaderParserTests.v2(family: 0x41, addresses: Self.tcp4Addresses), .v2BadFamily),
        (ProxyHeaderParserTests.v2(family: 0x12, addresses: Self.tcp4Addresses), .v2UnsupportedFamily),
        (ProxyHeaderParserTests.v2(family: 0x22, addresses: Self.tcp6Addresses), .v2UnsupportedFamily),
        (ProxyHeaderParserTests.v2(family: 0x31, addresses: Array(repeating: 0, count: 216)), .v2UnsupportedFamily),
        (ProxyHeaderParserTests.v2(family: 0x11, addresses: Array(Self.tcp4Addresses[..<11])), .v2AddressesTooShort),
        (ProxyHeaderParserTests.v2(family: 0x21, addresses: Self.tcp4Addresses), .v2AddressesTooShort),
        (Array("\r\n\r\n\0\r\nQUIT\r".utf8), .notProxyHeader),
        (Array("\r\n\r\nGET / HTTP/1.1\r\n".utf8), .notProxyHeader),
    ])
    func eachMalformedV2HeaderIsItsOwnRefusal(bytes: [UInt8], error: ProxyHeaderError) {
        #expect(parse(bytes) == .error(error))
    }

    @Test func aBadV2HeaderIsRefusedBeforeItsAddressBlockArrives() {
        let header = Self.v2(command: 0x22, family: 0x11, addresses: Self.tcp4Addresses)
        #expect(parse(Array(header[..<13])) == .error(.v2BadCommand))
        let family = Self.v2(family: 0x99, addresses: Self.tcp4Addresses)
        #expect(parse(Array(family[..<14])) == .error(.v2BadFamily))
    }

    // MARK: partial reads

    /// Every header above, good and bad, split into two reads at every offset and fed byte by byte,
    /// gives the outcome it gives whole.
    @Test func everyHeaderGivesOneOutcomeHoweverItIsSplit() {
        var cases: [[UInt8]] = [
            Self.v1("PROXY TCP4 203.0.113.7 127.0.0.1 4711 5000\r\n") + Self.request,
            Self.v1("PROXY TCP6 2001:db8:1:2::99 ::1 4711 5000\r\n"),
            Self.v1("PROXY UNKNOWN\r\n") + Self.request,
            Self.v1("PROXY TCP4 203.0.113.7 127.0.0.1 4711 5000\n"),
            Self.v1("PROXY TCP4 203.0.113.7 127.0.0.1 65536 5000\r\n"),
            Self.v1("PROXY TCP4 " + String(repeating: "1", count: 200)),
            Self.v2(family: 0x11, addresses: Self.tcp4Addresses) + Self.request,
            Self.v2(family: 0x21, addresses: Self.tcp6Addresses, extra: [0x04, 0x00, 0x01, 0x00]),
            Self.v2(command: 0x20, family: 0x00, addresses: []) + Self.request,
            Self.v2(command: 0x22, family: 0x11, addresses: Self.tcp4Addresses),
            Self.v2(family: 0x21, addresses: Self.tcp4Addresses),
            Self.request,
        ]
        cases.append(Array("\r\n\r\nGET / HTTP/1.1\r\n\r\n".utf8))
        for bytes in cases {
            let whole = parse(bytes)
            #expect(whole != .needMore)
            for split in 1..<bytes.count {
                #expect(parse(bytes, splitAt: split) == whole, "split at \(split) of \(bytes.count)")
            }
            #expect(parseByteByByte(bytes) == whole)
        }
    }

    @Test func aPrefixOfEitherSignatureIsNotYetDecided() {
        for end in 1..<6 {
            #expect(Array(Self.v1("PROXY ")[..<end]).withUnsafeBytes { ProxyHeaderParser.signature($0) } == .partial)
        }
        for end in 1..<12 {
            #expect(
                Array(ProxyHeaderParser.v2Signature[..<end]).withUnsafeBytes { ProxyHeaderParser.signature($0) }
                    == .partial)
        }
        #expect(Array("PROXY ".utf8).withUnsafeBytes { ProxyHeaderParser.signature($0) } == .v1)
        #expect(ProxyHeaderParser.v2Signature.withUnsafeBytes { ProxyHeaderParser.signature($0) } == .v2)
        // HTTP is told apart at its first differing byte: PROPFIND at its fourth, GET at its first.
        #expect(Array("PROP".utf8).withUnsafeBytes { ProxyHeaderParser.signature($0) } == .none)
        #expect(Array("G".utf8).withUnsafeBytes { ProxyHeaderParser.signature($0) } == .none)
        #expect(Array("\r\n\r\nG".utf8).withUnsafeBytes { ProxyHeaderParser.signature($0) } == .none)
    }
}
