/// Who is asking, as far as the policy can tell: throttles count per client, the audit log names it.
/// Today the peer's address; behind a trusted proxy, the address the proxy reports.
public struct ClientIdentity: Sendable, Hashable {
    /// The client's IP address as text ("127.0.0.1", "::1"); "" when unknown.
    public var address: String

    /// The client at `address`.
    public init(address: String) {
        self.address = address
    }

    /// The one name this client is counted under wherever authd shares or limits something per
    /// client: today the hash pool's turns. The address for now; this is the place to normalize it
    /// (an IPv6 /64 as one client, a proxy's client). The throttles still read `address`.
    var key: String { address }
}
