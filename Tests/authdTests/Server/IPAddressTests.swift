import Testing

@testable import authd

/// Addresses as literals and as throttle keys, and the blocks `--trusted-proxy` and
/// `--throttle-exempt` take.
@Suite struct IPAddressTests {
    @Test(arguments: [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8::7", "2001:db8::7"),
        ("2001:DB8:0:0:0:0:0:0007", "2001:db8::7"),
        ("::1", "::1"),
        // A dual-stack socket's IPv4 peer, and the same written out: the IPv4 client.
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("::FFFF:c000:0207", "192.0.2.7"),
    ])
    func aLiteralIsReadAndWrittenInCanonicalForm(literal: String, text: String) throws {
        #expect(try #require(IPAddress(literal)).text == text)
    }

    @Test(arguments: [
        "", " 192.0.2.7", "192.0.2.7 ", "192.0.2", "192.0.2.256", "192.0.2.07", "192.0.2.7:80", "[2001:db8::7]",
        "2001:db8::7%eth0", "2001:db8:::7", "localhost", "unknown", "1.2.3.4.5",
        String(repeating: "1", count: 60),
    ])
    func anythingButAnAddressLiteralIsRefused(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func anIPv4AddressIsItsOwnThrottleKey() throws {
        #expect(try #require(IPAddress("192.0.2.7")).throttleKey == "192.0.2.7")
        #expect(try #require(IPAddress("::ffff:192.0.2.7")).throttleKey == "192.0.2.7")
    }

    @Test func everyIPv6AddressOfOneSlash64SharesOneThrottleKey() throws {
        let keys = try [
            "2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2:a:b:c:d",
        ]
        .map { try #require(IPAddress($0)).throttleKey }
        #expect(Set(keys) == ["2001:db8:1:2::/64"])
        #expect(try #require(IPAddress("2001:db8:1:3::1")).throttleKey == "2001:db8:1:3::/64")
        #expect(
            try #require(IPAddress("2001:db8:1:2::1")).throttleKey != #require(IPAddress("2001:db8:1:3::1")).throttleKey
        )
        #expect(try #require(IPAddress("::1")).throttleKey == "::/64")
    }

    @Test func anAddressIsReadFromBytesInNetworkOrder() throws {
        let v4: [UInt8] = [192, 0, 2, 7]
        #expect(v4.withUnsafeBytes { IPAddress(networkBytes: $0) } == IPAddress("192.0.2.7"))
        let v6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [7]
        #expect(v6.withUnsafeBytes { IPAddress(networkBytes: $0) } == IPAddress("2001:db8::7"))
        #expect([UInt8](repeating: 0, count: 5).withUnsafeBytes { IPAddress(networkBytes: $0) } == nil)
    }

    // MARK: blocks

    @Test func aBlockContainsExactlyTheAddressesOfItsPrefix() throws {
        let block = try #require(AddressRange("10.1.0.0/16"))
        #expect(block.contains(try #require(IPAddress("10.1.0.0"))))
        #expect(block.contains(try #require(IPAddress("10.1.255.255"))))
        #expect(!block.contains(try #require(IPAddress("10.2.0.0"))))
        #expect(!block.contains(try #require(IPAddress("10.0.255.255"))))
        let v6 = try #require(AddressRange("2001:db8:1::/48"))
        #expect(v6.contains(try #require(IPAddress("2001:db8:1:ffff::9"))))
        #expect(!v6.contains(try #require(IPAddress("2001:db8:2::9"))))
    }

    @Test func aSingleAddressIsABlockOfOne() throws {
        let one = try #require(AddressRange("127.0.0.1"))
        #expect(one.contains(try #require(IPAddress("127.0.0.1"))))
        #expect(!one.contains(try #require(IPAddress("127.0.0.2"))))
        let loopback6 = try #require(AddressRange("::1"))
        #expect(loopback6.contains(try #require(IPAddress("::1"))))
        #expect(!loopback6.contains(try #require(IPAddress("::2"))))
    }

    @Test func anIPv4BlockMatchesTheMappedFormAndNoIPv6Address() throws {
        let block = try #require(AddressRange("192.0.2.0/24"))
        #expect(block.contains(try #require(IPAddress("::ffff:192.0.2.9"))))
        #expect(!block.contains(try #require(IPAddress("2001:db8::1"))))
        let all4 = try #require(AddressRange("0.0.0.0/0"))
        #expect(all4.contains(try #require(IPAddress("203.0.113.1"))))
        #expect(!all4.contains(try #require(IPAddress("::1"))))
        let all = try #require(AddressRange("::/0"))
        #expect(all.contains(try #require(IPAddress("203.0.113.1"))))
        #expect(all.contains(try #require(IPAddress("::1"))))
    }

    @Test(arguments: [
        "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/", "10.0.0.0/x", "/8", "2001:db8::1/32",
        "2001:db8::/129", "10.0.0.0/8/8", "any", "",
    ])
    func aBlockWithBitsPastItsPrefixOrABadLengthIsRefused(text: String) {
        #expect(AddressRange(text) == nil)
    }

    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"), ("10.0.0.0/8", "10.0.0.0/8"), ("::1", "::1"), ("2001:db8::/32", "2001:db8::/32"),
        ("::ffff:10.0.0.0/104", "10.0.0.0/8"), ("0.0.0.0/0", "0.0.0.0/0"), ("::/0", "::/0"),
    ])
    func aBlockIsShownAsItsFlagTakesIt(text: String, shown: String) throws {
        #expect(try #require(AddressRange(text)).description == shown)
    }
}
