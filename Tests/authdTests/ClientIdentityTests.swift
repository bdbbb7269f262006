import Foundation
import Testing

/// Who the client is, end to end: the peer, the client nginx reports for a `--trusted-proxy`, the
/// one a PROXY header names, an IPv6 /64 as one client, and the loopback exemption. Clients speak
/// from several loopback addresses (a socket bound to 127.0.0.x reaches 127.0.0.1).
@Suite struct ClientIdentityTests {
    // MARK: helpers

    /// `method path` with a urlencoded `form` and extra header lines, as bytes.
    private static func request(_ method: String, _ path: String, form: String? = nil, headers: [String] = [])
        -> [UInt8]
    {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: x\r\n" + headers.map { $0 + "\r\n" }.joined()
        if let form {
            head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n"
        }
        return Array((head + "\r\n" + (form ?? "")).utf8)
    }

    /// One request on a new connection to `port` from `source`; the status (-1 when closed unanswered).
    private static func status(
        port: Int, from source: String, _ method: String, _ path: String, form: String? = nil, headers: [String] = []
    ) throws -> Int {
        let client = try RawClient(port: port, timeoutSeconds: 30, from: source)
        try client.send(request(method, path, form: form, headers: headers))
        return try client.readResponse()?.status ?? -1
    }

    private static func login(
        port: Int, from source: String, _ email: String, _ password: String, headers: [String] = []
    ) throws -> Int {
        try status(
            port: port, from: source, "POST", "/sessions", form: "email=\(email)&password=\(password)", headers: headers
        )
    }

    private static func register(port: Int, from source: String = "127.0.0.1", _ email: String, headers: [String] = [])
        throws -> Int
    {
        try status(port: port, from: source, "POST", "/users", form: "email=\(email)&password=right", headers: headers)
    }

    /// authd's log once it has stopped and its last line has been read.
    private static func finalLog(of server: AuthdProcess) -> String {
        #expect(server.stop() == 0)
        let limit = Date().addingTimeInterval(10)
        while !server.log.contains("stopped") && Date() < limit { usleep(10_000) }
        return server.log
    }

    /// The JSON lines of `log` that have a `kind` field ("access" or "audit").
    private static func lines(_ kind: String, in log: String) -> [[String: Any]] {
        log.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0[kind] != nil }
    }

    private static func addresses(_ kind: String, in log: String, where match: ([String: Any]) -> Bool = { _ in true })
        -> Set<String>
    {
        Set(lines(kind, in: log).filter(match).compactMap { $0["address"] as? String })
    }

    private static func occurrences(of text: String, in log: String) -> Int {
        log.components(separatedBy: text).count - 1
    }

    // MARK: behind nginx

    @Test func behindNginxWithoutATrustedProxyEveryoneIsOneClient() throws {
        let server = try AuthdProcess()
        let nginx = try NginxProcess(proxyingTo: server.port)
        #expect(try Self.register(port: nginx.port, from: "127.0.0.3", "victim@b.c") == 200)
        for index in 0..<5 {
            #expect(try Self.login(port: nginx.port, from: "127.0.0.2", "victim@b.c", "guess\(index)") == 401)
        }
        // The owner, from another address, shares the attacker's pair: both are nginx, 127.0.0.1.
        #expect(try Self.login(port: nginx.port, from: "127.0.0.3", "victim@b.c", "right") == 429)
        nginx.stop()
        let log = Self.finalLog(of: server)
        #expect(Self.addresses("access", in: log) == ["127.0.0.1"])
        #expect(Self.addresses("audit", in: log) == ["127.0.0.1"])
        // nginx's X-Forwarded-For from a peer not trusted: ignored, and said once, naming the flag.
        #expect(
            Self.occurrences(of: "which is not a trusted proxy; behind a proxy, name it with --trusted-proxy", in: log)
                == 1)
    }

    @Test func behindNginxAsATrustedProxyEachClientIsItself() throws {
        let server = try AuthdProcess(arguments: ["--trusted-proxy", "127.0.0.1"])
        let nginx = try NginxProcess(proxyingTo: server.port)
        #expect(try Self.register(port: nginx.port, from: "127.0.0.3", "victim@b.c") == 200)
        for index in 0..<5 {
            #expect(try Self.login(port: nginx.port, from: "127.0.0.2", "victim@b.c", "guess\(index)") == 401)
        }
        #expect(try Self.login(port: nginx.port, from: "127.0.0.2", "victim@b.c", "right") == 429)
        #expect(try Self.login(port: nginx.port, from: "127.0.0.3", "victim@b.c", "right") == 200)
        // A client's own X-Forwarded-For lies left of what nginx appends, and is not believed.
        let spoofed = ["X-Forwarded-For: 198.51.100.1"]
        #expect(try Self.login(port: nginx.port, from: "127.0.0.2", "victim@b.c", "right", headers: spoofed) == 429)
        nginx.stop()
        let log = Self.finalLog(of: server)
        #expect(Self.addresses("access", in: log) == ["127.0.0.2", "127.0.0.3"])
        #expect(Self.addresses("audit", in: log) { $0["audit"] as? String == "login_failed" } == ["127.0.0.2"])
        #expect(Self.addresses("audit", in: log) { $0["audit"] as? String == "throttled" } == ["127.0.0.2"])
        #expect(Self.addresses("audit", in: log) { $0["audit"] as? String == "login_succeeded" } == ["127.0.0.3"])
        #expect(!log.contains("not a trusted proxy"))
    }

    @Test func theClientBehindAnExemptLoopbackProxyIsNotExempt() throws {
        // nginx is 127.0.0.1, exempt by default; the clients it reports are not.
        let server = try AuthdProcess(arguments: ["--trusted-proxy", "127.0.0.1", "--address-request-limit", "2"])
        let nginx = try NginxProcess(proxyingTo: server.port)
        #expect(try Self.register(port: nginx.port, from: "127.0.0.2", "a@b.c") == 200)
        #expect(try Self.register(port: nginx.port, from: "127.0.0.2", "b@b.c") == 200)
        #expect(try Self.register(port: nginx.port, from: "127.0.0.2", "c@b.c") == 429)
        #expect(try Self.register(port: nginx.port, from: "127.0.0.3", "c@b.c") == 200)
        // Straight to authd from 127.0.0.1, a load harness on the host, is exempt.
        for index in 0..<4 { #expect(try Self.register(port: server.port, "local\(index)@b.c") == 200) }
    }

    @Test func aTrustedProxyReportingAddressesOfOneSlash64ReportsOneClient() throws {
        let server = try AuthdProcess(arguments: ["--trusted-proxy", "127.0.0.1", "--address-failure-limit", "3"])
        let port = server.port
        #expect(try Self.register(port: port, "real@b.c") == 200)
        func login(as address: String, _ email: String) throws -> Int {
            try Self.login(port: port, from: "127.0.0.1", email, "wrong", headers: ["X-Forwarded-For: \(address)"])
        }
        // Rotating through one /64 does not escape the per-address budget.
        #expect(try login(as: "2001:db8:1:2::1", "guess1@b.c") == 401)
        #expect(try login(as: "2001:db8:1:2::2", "guess2@b.c") == 401)
        #expect(try login(as: "2001:db8:1:2:ffff:ffff:ffff:ffff", "guess3@b.c") == 401)
        #expect(try login(as: "2001:db8:1:2::4", "real@b.c") == 429)
        // Another /64 is another client, and the proxy itself was never throttled.
        #expect(try login(as: "2001:db8:1:3::1", "real@b.c") == 401)
        #expect(try Self.login(port: port, from: "127.0.0.1", "real@b.c", "right") == 200)
        let log = Self.finalLog(of: server)
        #expect(
            Self.addresses("audit", in: log) { $0["audit"] as? String == "login_failed" } == [
                "2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:3::1",
            ])
        #expect(
            Self.addresses("audit", in: log) { $0["reason"] as? String == "address_failure_limit" } == [
                "2001:db8:1:2::4"
            ])
    }

    // MARK: untrusted peers

    @Test func anUntrustedPeersForwardingHeadersAreIgnoredAndWarnedAboutOnce() throws {
        let server = try AuthdProcess(arguments: ["--address-request-limit", "2"])
        let port = server.port
        // Each request names a new client; all count as 127.0.0.2.
        #expect(
            try Self.register(port: port, from: "127.0.0.2", "a@b.c", headers: ["X-Forwarded-For: 198.51.100.1"]) == 200
        )
        #expect(
            try Self.register(port: port, from: "127.0.0.2", "b@b.c", headers: ["Forwarded: for=198.51.100.2"]) == 200)
        #expect(
            try Self.register(port: port, from: "127.0.0.2", "c@b.c", headers: ["X-Forwarded-For: 198.51.100.3"]) == 429
        )
        let log = Self.finalLog(of: server)
        #expect(Self.addresses("access", in: log) == ["127.0.0.2"])
        #expect(Self.occurrences(of: "ignoring X-Forwarded-For/Forwarded from 127.0.0.2", in: log) == 1)
        #expect(Self.occurrences(of: "--trusted-proxy", in: log) == 1)
    }

    // MARK: the PROXY protocol

    private static func v1(_ source: String, port: Int) -> [UInt8] {
        let family = source.contains(":") ? "TCP6" : "TCP4"
        let destination = source.contains(":") ? "::1" : "127.0.0.1"
        return Array("PROXY \(family) \(source) \(destination) 4711 \(port)\r\n".utf8)
    }

    private static func v2TCP6(_ source: [UInt8]) -> [UInt8] {
        let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
        let destination = [UInt8](repeating: 0, count: 15) + [1]
        let block = source + destination + [0x12, 0x67, 0x13, 0x88] + [0x04, 0x00, 0x01, 0x00]  // + a NOOP TLV
        return signature + [0x21, 0x21, UInt8(block.count >> 8), UInt8(block.count & 0xFF)] + block
    }

    @Test func aTrustedProxysPROXYHeaderNamesTheClientOfItsConnection() throws {
        let server = try AuthdProcess(arguments: ["--proxy-protocol", "--trusted-proxy", "127.0.0.1"])
        let port = server.port
        #expect(try Self.register(port: port, "victim@b.c", headers: []) == -1, "a trusted peer must send the header")

        let registration = try RawClient(port: port, from: "127.0.0.1")
        try registration.send(
            Self.v1("192.0.2.10", port: port) + Self.request("POST", "/users", form: "email=victim@b.c&password=right"))
        #expect(try registration.readResponse()?.status == 200)

        // v1: five failures from 203.0.113.7 on one keep-alive connection block that client's pair.
        let attacker = try RawClient(port: port, from: "127.0.0.1")
        try attacker.send(Self.v1("203.0.113.7", port: port))
        for index in 0..<5 {
            try attacker.send(Self.request("POST", "/sessions", form: "email=victim@b.c&password=guess\(index)"))
            #expect(try attacker.readResponse()?.status == 401)
        }
        try attacker.send(Self.request("POST", "/sessions", form: "email=victim@b.c&password=right"))
        #expect(try attacker.readResponse()?.status == 429)

        // v2, split across two writes: another client, from IPv6, logs in.
        let owner = try RawClient(port: port, from: "127.0.0.1")
        let header = Self.v2TCP6([0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2] + [UInt8](repeating: 0, count: 7) + [0x99])
        try owner.send(Array(header[..<10]))
        usleep(50_000)
        try owner.send(
            Array(header[10...]) + Self.request("POST", "/sessions", form: "email=victim@b.c&password=right"))
        #expect(try owner.readResponse()?.status == 200)

        let log = Self.finalLog(of: server)
        #expect(Self.addresses("access", in: log) == ["192.0.2.10", "203.0.113.7", "2001:db8:1:2::99"])
        #expect(Self.addresses("audit", in: log) { $0["audit"] as? String == "login_failed" } == ["203.0.113.7"])
        #expect(
            Self.addresses("audit", in: log) { $0["audit"] as? String == "login_succeeded" } == ["2001:db8:1:2::99"])
        #expect(Self.occurrences(of: "closed a connection from trusted proxy 127.0.0.1: no PROXY header", in: log) == 1)
    }

    @Test func withPROXYHeadersForwardingFieldsAreNeverBelievedNotEvenAfterUNKNOWNOrLOCAL() throws {
        let server = try AuthdProcess(arguments: ["--proxy-protocol", "--trusted-proxy", "127.0.0.5"])
        let port = server.port
        let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
        let local = signature + [0x20, 0x00, 0x00, 0x00]
        // UNKNOWN and LOCAL name no client: the connection's client is the proxy, whatever the
        // client wrote; after a header naming a client, that client is the one.
        for (header, named) in [
            (Array("PROXY UNKNOWN\r\n".utf8), "198.51.100.9"), (local, "127.0.0.1"),
            (Self.v1("192.0.2.44", port: port), "127.0.0.1"),
        ] {
            let client = try RawClient(port: port, from: "127.0.0.5")
            try client.send(
                header + Self.request("GET", "/", headers: ["X-Forwarded-For: \(named)", "Forwarded: for=\(named)"]))
            #expect(try client.readResponse()?.status == 200)
        }
        let log = Self.finalLog(of: server)
        #expect(Self.addresses("access", in: log) == ["127.0.0.5", "192.0.2.44"])
        #expect(!log.contains("ignoring X-Forwarded-For"))
    }

    @Test func aBadOrMissingHeaderFromATrustedProxyAndAnyHeaderFromAnotherPeerCloseUnanswered() throws {
        let server = try AuthdProcess(arguments: [
            "--proxy-protocol", "--trusted-proxy", "127.0.0.1", "--request-timeout", "1",
        ])
        let port = server.port
        let get = Self.request("GET", "/")
        for bad in [
            Array("PROXY TCP4 203.0.113.7 127.0.0.1 99999 1\r\n".utf8), Array("PROXY TCP4 nonsense\r\n".utf8), get,
        ] {
            let client = try RawClient(port: port, from: "127.0.0.1")
            try client.send(bad + get)
            #expect(client.isClosedByPeer(), "\(String(decoding: bad, as: UTF8.self))")
        }
        // A trusted proxy that sends nothing is closed at the request timeout, with no 408.
        let silent = try RawClient(port: port, timeoutSeconds: 10, from: "127.0.0.1")
        let connected = Date()
        #expect(silent.isClosedByPeer())
        #expect(Date().timeIntervalSince(connected) < 5, "closed by the request timeout, not the client's own")

        // Another peer speaks plain HTTP, as its own client; a PROXY header from it closes.
        #expect(try Self.status(port: port, from: "127.0.0.2", "GET", "/") == 200)
        let stranger = try RawClient(port: port, from: "127.0.0.2")
        try stranger.send(Self.v1("198.51.100.1", port: port) + get)
        #expect(stranger.isClosedByPeer())

        let log = Self.finalLog(of: server)
        #expect(Self.addresses("access", in: log) == ["127.0.0.2"])
        #expect(Self.occurrences(of: "closed a connection from trusted proxy 127.0.0.1", in: log) == 1)
        #expect(Self.occurrences(of: "closed a connection from 127.0.0.2 that began with a PROXY header", in: log) == 1)
    }

    // MARK: exemption and address families

    @Test func theLoopbackClientIsExemptFromPerAddressLimitsButNotFromPerEmailOnes() throws {
        let server = try AuthdProcess(arguments: ["--address-request-limit", "2", "--address-failure-limit", "2"])
        let port = server.port
        for index in 0..<4 { #expect(try Self.register(port: port, "u\(index)@b.c") == 200) }
        for index in 0..<4 { #expect(try Self.login(port: port, from: "127.0.0.1", "nobody\(index)@b.c", "x") == 401) }
        for _ in 0..<5 { #expect(try Self.login(port: port, from: "127.0.0.1", "u0@b.c", "wrong") == 401) }
        #expect(try Self.login(port: port, from: "127.0.0.1", "u0@b.c", "right") == 429)
        // Any other address meets the per-address limits.
        #expect(try Self.register(port: port, from: "127.0.0.2", "v0@b.c") == 200)
        #expect(try Self.register(port: port, from: "127.0.0.2", "v1@b.c") == 200)
        #expect(try Self.register(port: port, from: "127.0.0.2", "v2@b.c") == 429)
    }

    @Test func anIPv4ClientOfADualStackListenerIsNamedAsIPv4() throws {
        let server = try AuthdProcess(arguments: ["--host", "::", "--address-request-limit", "1"])
        #expect(try Self.register(port: server.port, from: "127.0.0.2", "a@b.c") == 200)
        // Counted as 127.0.0.2, whose only request is spent; 127.0.0.3 is another client.
        #expect(try Self.register(port: server.port, from: "127.0.0.2", "b@b.c") == 429)
        #expect(try Self.register(port: server.port, from: "127.0.0.3", "b@b.c") == 200)
        let log = Self.finalLog(of: server)
        #expect(Self.addresses("access", in: log) == ["127.0.0.2", "127.0.0.3"])
    }

    @Test(.enabled(if: ClientIdentityTests.hasIPv6Loopback))
    func theIPv6LoopbackIsExemptByDefaultAndCountsWhenTheExemptionIsOff() throws {
        for (arguments, third) in [([String](), 200), (["--throttle-exempt", "none"], 429)] {
            let server = try AuthdProcess(arguments: ["--host", "::1", "--address-request-limit", "2"] + arguments)
            for index in 0..<3 {
                let client = try RawClient(ipv6LoopbackPort: server.port)
                try client.send(Self.request("POST", "/users", form: "email=u\(index)@b.c&password=p"))
                #expect(try client.readResponse()?.status == (index < 2 ? 200 : third), "\(arguments)")
            }
            let log = Self.finalLog(of: server)
            #expect(Self.addresses("access", in: log) == ["::1"])
        }
    }

    /// Whether this machine can bind `::1`.
    static var hasIPv6Loopback: Bool {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
            }
        }
    }
}
