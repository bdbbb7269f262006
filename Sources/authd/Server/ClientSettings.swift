import AuthService

/// Who the client of a connection or request is (ARCHITECTURE.md, "Clients and addresses"): the
/// peer, or behind a trusted proxy the client the proxy reports; and which clients per-client
/// limits skip. The one home of these defaults and rules.
struct ClientSettings: Sendable, Equatable {
    /// Peers whose `X-Forwarded-For` / `Forwarded` (and PROXY header) name the client. None by
    /// default: a header from anyone else is ignored, or anyone could name themselves.
    var trustedProxies: [AddressRange] = []
    /// Connections from trusted proxies begin with a PROXY protocol header (v1 or v2), which names
    /// the client; from any other peer such a header closes the connection.
    var proxyProtocol = false
    /// Clients exempt from per-client limits (per-email limits still apply): the loopback addresses,
    /// as fail2ban's `ignoreip`, so a load harness or a test suite on the host is not refused.
    var throttleExempt: [AddressRange] = [AddressRange("127.0.0.1")!, AddressRange("::1")!]

    /// Throws the first setting that breaks its rule, naming it and its value.
    func validate() throws(ConfigurationError) {
        if proxyProtocol && trustedProxies.isEmpty {
            throw .invalidSetting(
                "--proxy-protocol", value: "on", rule: "needs --trusted-proxy: only a trusted proxy may name the client"
            )
        }
    }

    /// Whether `address` is one of the trusted proxies.
    func isTrustedProxy(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// The identity of the client at `address`: its text, its throttle key (its /64 for IPv6), and
    /// whether it is exempt.
    func identity(of address: IPAddress) -> ClientIdentity {
        ClientIdentity(
            address: address.text, throttleKey: address.throttleKey,
            isExemptFromClientLimits: throttleExempt.contains { $0.contains(address) })
    }
}
