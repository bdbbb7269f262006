/// Where authd listens: the public listener, and the optional admin one for `/metrics` and `/healthz`.
/// The one home of their defaults and rules.
struct ListenerSettings: Sendable, Equatable {
    /// The ports a listener may ask for; 0 lets the system pick a free one.
    static let ports = 0...65535

    /// IPv4 or IPv6 address of the public listener.
    var host = "127.0.0.1"
    /// Its port; 0 picks a free one and the log says which.
    var port = 5000
    /// Address of the admin listener.
    var adminHost = "127.0.0.1"
    /// Port of the admin listener; none means no admin listener (`/metrics` is then served only with
    /// `--public-metrics`, on the public port).
    var adminPort: Int?

    /// Throws the first setting that breaks its rule, naming it and its value. The hosts are checked
    /// when they are bound: only the system knows which addresses it can listen on.
    func validate() throws(ConfigurationError) {
        guard Self.ports.contains(port) else {
            throw .invalidSetting("--port", value: "\(port)", rule: "must be within \(Self.ports)")
        }
        if let adminPort, !Self.ports.contains(adminPort) {
            throw .invalidSetting("--admin-port", value: "\(adminPort)", rule: "must be within \(Self.ports)")
        }
    }
}
