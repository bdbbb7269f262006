import HTTPParser
import Testing

@testable import authd

/// Which client `X-Forwarded-For` and `Forwarded` name, given the trusted proxies: the right-most
/// address that is not one, never anything a client could write further left.
@Suite struct ForwardedClientTests {
    /// 127.0.0.1 and 10.0.0.0/8 are the trusted proxies.
    private let trusted = [AddressRange("127.0.0.1")!, AddressRange("10.0.0.0/8")!]

    private func client(_ fields: [(String, String)]) -> String? {
        let headers = HTTPHeaders(fields.map { (name: $0.0, value: $0.1) })
        return ForwardedClient.find(in: headers) { address in trusted.contains { $0.contains(address) } }?.text
    }

    private func forwardedFor(_ values: String...) -> String? {
        client(values.map { ("X-Forwarded-For", $0) })
    }

    private func forwarded(_ values: String...) -> String? {
        client(values.map { ("Forwarded", $0) })
    }

    @Test func noHeaderNamesNoClient() {
        #expect(client([("Host", "a")]) == nil)
    }

    // MARK: X-Forwarded-For

    @Test func theAddressTheProxyAppendedIsTheClient() {
        #expect(forwardedFor("203.0.113.7") == "203.0.113.7")
    }

    @Test func whatAClientWroteLeftOfItsOwnAddressIsNotBelieved() {
        // The client sent "X-Forwarded-For: 198.51.100.1" itself; the proxy appended what it saw.
        #expect(forwardedFor("198.51.100.1, 203.0.113.7") == "203.0.113.7")
        #expect(forwardedFor("127.0.0.1, 203.0.113.7") == "203.0.113.7")
    }

    @Test func garbageLeftOfTheClientDoesNotMakeTheHeaderUnreadable() {
        #expect(forwardedFor("not an address, \"quoted, 203.0.113.7") == "203.0.113.7")
        #expect(forwardedFor("[[[", "203.0.113.7") == "203.0.113.7")
    }

    @Test func aChainOfTrustedProxiesIsWalkedToTheFirstUntrustedAddress() {
        #expect(forwardedFor("198.51.100.1, 203.0.113.7, 10.0.0.5, 10.9.9.9") == "203.0.113.7")
        #expect(forwardedFor("203.0.113.7, 127.0.0.1") == "203.0.113.7")
    }

    @Test func onlyTrustedAddressesNameTheLeftmostOfThem() {
        #expect(forwardedFor("10.0.0.5, 127.0.0.1") == "10.0.0.5")
    }

    @Test func severalFieldLinesAreOneListInOrder() {
        #expect(forwardedFor("198.51.100.1", "203.0.113.7, 10.0.0.5") == "203.0.113.7")
        #expect(forwardedFor("203.0.113.7", "10.0.0.5") == "203.0.113.7")
        #expect(forwardedFor("203.0.113.7", "") == "203.0.113.7")
    }

    @Test func emptyElementsAndSpacesAreSkipped() {
        #expect(forwardedFor(" 203.0.113.7 ,, ,\t") == "203.0.113.7")
    }

    @Test func portsAndBracketsAreAccepted() {
        #expect(forwardedFor("203.0.113.7:4711") == "203.0.113.7")
        #expect(forwardedFor("2001:db8::7") == "2001:db8::7")
        #expect(forwardedFor("[2001:db8::7]") == "2001:db8::7")
        #expect(forwardedFor("[2001:db8::7]:4711") == "2001:db8::7")
        #expect(forwardedFor("::ffff:203.0.113.7") == "203.0.113.7")
    }

    @Test(arguments: [
        "unknown", "203.0.113.7:", "203.0.113.7:99999", "203.0.113.7:x", "[203.0.113.7]", "[2001:db8::7",
        "[2001:db8::7]x",
        "[2001:db8::7]:", "2001:db8::7:4711:1:2:3:4:5", "\"203.0.113.7\"", "_hidden", "203.0.113.7 203.0.113.8",
    ])
    func aMalformedElementWhereTheClientShouldBeNamesNoClient(element: String) {
        #expect(forwardedFor(element) == nil)
        #expect(forwardedFor("198.51.100.1, " + element + ", 127.0.0.1") == nil)
    }

    // MARK: Forwarded (RFC 7239)

    @Test func theForParameterOfTheLastElementIsTheClient() {
        #expect(forwarded("for=203.0.113.7") == "203.0.113.7")
        #expect(forwarded("for=198.51.100.1, for=203.0.113.7;proto=http;by=10.0.0.1") == "203.0.113.7")
        #expect(forwarded("proto=https;FOR=203.0.113.7") == "203.0.113.7")
        #expect(forwarded("for=203.0.113.7 ; proto=http") == "203.0.113.7")
    }

    @Test func aQuotedIPv6NodeWithItsPortIsRead() {
        #expect(forwarded(#"for="[2001:db8:cafe::17]:4711""#) == "2001:db8:cafe::17")
        #expect(forwarded(#"for="[2001:db8:cafe::17]""#) == "2001:db8:cafe::17")
        #expect(forwarded(#"for="203.0.113.7:4711""#) == "203.0.113.7")
        #expect(forwarded(#"for="203.0.113.7""#) == "203.0.113.7")
    }

    @Test func trustedHopsAreWalkedOverInForwardedToo() {
        #expect(forwarded(#"for=203.0.113.7, for="10.0.0.5:80";by=10.0.0.6, for=127.0.0.1"#) == "203.0.113.7")
    }

    @Test func aClientsUnbalancedQuoteLeftOfItDoesNotSwallowTheProxysElement() {
        #expect(forwarded(#"for="[2001:db8::1, for=203.0.113.7"#) == "203.0.113.7")
        #expect(forwarded(#"for=";, for="[2001:db8::9]:80""#) == "2001:db8::9")
    }

    @Test(arguments: [
        "for=unknown", "for=_hidden", "proto=http", "for=203.0.113.7;for=203.0.113.8", "for=[2001:db8::7]",
        #"for="2001:db8::7""#, "for=", "=203.0.113.7", "for 203.0.113.7", #"for="203.0.113.7"#, #"for="203.0.\"113.7""#,
        "for=203.0.113.7:80", "f@r=203.0.113.7",
    ])
    func aMalformedForwardedElementWhereTheClientShouldBeNamesNoClient(element: String) {
        #expect(forwarded(element) == nil)
        #expect(forwarded("for=198.51.100.1, " + element) == nil)
    }

    @Test func xForwardedForWinsOverForwardedAClientMayHaveSent() {
        // nginx appends to X-Forwarded-For and passes the client's own Forwarded through.
        #expect(client([("Forwarded", "for=198.51.100.66"), ("X-Forwarded-For", "203.0.113.7")]) == "203.0.113.7")
        #expect(client([("X-Forwarded-For", "203.0.113.7"), ("Forwarded", "for=198.51.100.66")]) == "203.0.113.7")
    }

    @Test func anIPv6ClientIsNamedWholeAndCountsUnderItsSlash64() throws {
        let address = try #require(forwardedFor("2001:db8:1:2::99, 127.0.0.1").flatMap { IPAddress($0) })
        let clients = ClientSettings(trustedProxies: trusted)
        let identity = clients.identity(of: address)
        #expect(identity.address == "2001:db8:1:2::99")
        #expect(identity.throttleKey == "2001:db8:1:2::/64")
        #expect(!identity.isExemptFromClientLimits)
    }
}
