/// Who is asking, as far as the policy can tell: throttles count per client, the audit log names it.
/// The peer's address, or behind a trusted proxy the address the proxy reports.
public struct ClientIdentity: Sendable, Hashable {
    /// The client's IP address as text ("127.0.0.1", "::1"); "" when unknown.
    public var address: String
    /// What this client is counted under wherever authd limits or shares something per client (the
    /// throttles, the hash pool's turns): the address itself, or for IPv6 its /64 (one end site).
    public var throttleKey: String
    /// True for clients the operator exempted from per-client limits (per-email limits still apply).
    public var isExemptFromClientLimits: Bool

    /// The client at `address`, counted under `throttleKey` (the address itself by default).
    public init(address: String, throttleKey: String? = nil, isExemptFromClientLimits: Bool = false) {
        self.address = address
        self.throttleKey = throttleKey ?? address
        self.isExemptFromClientLimits = isExemptFromClientLimits
    }
}
