/// Who is asking, as far as the policy can tell: throttles count per client, the audit log names it.
/// Today the peer's address; behind a trusted proxy, the address the proxy reports.
public struct ClientIdentity: Sendable, Hashable {
    /// The client's IP address as text ("127.0.0.1", "::1"); "" when unknown.
    public var address: String

    /// The client at `address`.
    public init(address: String) {
        self.address = address
    }
}
