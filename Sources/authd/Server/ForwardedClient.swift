import HTTPParser

/// The client a chain of trusted proxies reports, from `X-Forwarded-For` or RFC 7239 `Forwarded`:
/// read from the right, the first address that is not itself a trusted proxy.
///
/// Each proxy appends the address it accepted the connection from, so only the right end of the
/// chain is known to be true; what a client wrote further left is never read, so garbage there
/// cannot make the header unreadable (which would fall back to the proxy, perhaps an exempt one).
///
/// `X-Forwarded-For` wins when a request carries both: nginx, HAProxy, cloud load balancers and
/// CDNs append to it and pass a client's own `Forwarded` through untouched, so preferring
/// `Forwarded` would let any client behind them name itself. A proxy that sets only `Forwarded`
/// must therefore drop a client's `X-Forwarded-For` (docs/security.md, "Behind a proxy").
enum ForwardedClient {
    /// The client `headers` name, given which addresses are trusted proxies: the right-most untrusted
    /// address, or the left-most of a chain of trusted ones only; nil when neither header is there
    /// or the part of the chain read is malformed (then the peer is the client).
    static func find(in headers: HTTPHeaders, isTrusted: (IPAddress) -> Bool) -> IPAddress? {
        let forwardedFor = headers.values("X-Forwarded-For")
        if !forwardedFor.isEmpty {
            return walk(forwardedFor, quoted: false, isTrusted: isTrusted, node: xForwardedForNode)
        }
        let forwarded = headers.values("Forwarded")
        if !forwarded.isEmpty { return walk(forwarded, quoted: true, isTrusted: isTrusted, node: forwardedNode) }
        return nil
    }

    /// Reads the elements of the field lines `values` (one list, RFC 9110 §5.3) from the right.
    private static func walk(
        _ values: [String], quoted: Bool, isTrusted: (IPAddress) -> Bool,
        node: (UnsafeRawBufferPointer) -> IPAddress?
    ) -> IPAddress? {
        var leftmostTrusted: IPAddress?
        var found: IPAddress?
        var unreadable = false
        forEachElementFromTheRight(values, quoted: quoted) { element in
            guard let address = node(element) else {
                unreadable = true
                return false
            }
            if !isTrusted(address) {
                found = address
                return false
            }
            leftmostTrusted = address
            return true
        }
        if unreadable { return nil }
        return found ?? leftmostTrusted
    }

    /// Calls `body` with each non-empty element of the lists in `values`, last first, trimmed of
    /// whitespace, while it returns true. With `quoted`, commas inside a quoted string do not split:
    /// scanning from the right, the quotes of the elements read are balanced whatever lies left.
    private static func forEachElementFromTheRight(
        _ values: [String], quoted: Bool, _ body: (UnsafeRawBufferPointer) -> Bool
    ) {
        for value in values.reversed() {
            var value = value
            let goOn = value.withUTF8 { bytes -> Bool in
                let all = UnsafeRawBufferPointer(bytes)
                var end = all.count
                var inQuotes = false
                var i = end
                while i > 0 {
                    i -= 1
                    if quoted && all[i] == UInt8(ascii: "\"") {
                        inQuotes.toggle()
                    } else if all[i] == UInt8(ascii: ","), !inQuotes {
                        if !offer(all, i + 1, end, body) { return false }
                        end = i
                    }
                }
                return offer(all, 0, end, body)
            }
            if !goOn { return }
        }
    }

    /// Offers `all[start..<end]` trimmed to `body`; an empty element is skipped (RFC 9110 §5.6.1).
    private static func offer(
        _ all: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ body: (UnsafeRawBufferPointer) -> Bool
    ) -> Bool {
        let element = trimmed(UnsafeRawBufferPointer(rebasing: all[start..<end]))
        return element.isEmpty || body(element)
    }

    // MARK: elements

    /// An `X-Forwarded-For` element: `192.0.2.7`, `192.0.2.7:4711`, `2001:db8::7`, `[2001:db8::7]`
    /// or `[2001:db8::7]:4711` (proxies write all of these).
    static func xForwardedForNode(_ bytes: UnsafeRawBufferPointer) -> IPAddress? {
        node(bytes, bareIPv6: true)
    }

    /// The `for` parameter of a `Forwarded` element (`for=192.0.2.7;proto=http`,
    /// `for="[2001:db8::7]:4711"`); nil when the element is malformed, has no `for` or two, or its
    /// node is no address (`unknown`, an obfuscated `_name`).
    static func forwardedNode(_ element: UnsafeRawBufferPointer) -> IPAddress? {
        var node: UnsafeRawBufferPointer?
        var start = 0
        while start <= element.count {
            var end = start
            var inQuotes = false
            while end < element.count, inQuotes || element[end] != UInt8(ascii: ";") {
                if element[end] == UInt8(ascii: "\"") { inQuotes.toggle() }
                end += 1
            }
            let pair = trimmed(UnsafeRawBufferPointer(rebasing: element[start..<end]))
            start = end + 1
            if pair.isEmpty { continue }
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")), equals > 0,
                pair[..<equals].allSatisfy(isToken),
                let value = pairValue(UnsafeRawBufferPointer(rebasing: pair[(equals + 1)...]))
            else { return nil }
            let name = pair[..<equals]
            if name.count == 3, name.map({ $0 | 0x20 }) == Array("for".utf8) {
                guard node == nil else { return nil }
                node = value
            }
        }
        guard let node else { return nil }
        return Self.node(node, bareIPv6: false)
    }

    /// A parameter's value: a token, or a quoted string without quoted pairs (an address has none).
    private static func pairValue(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let first = bytes.first else { return nil }
        if first == UInt8(ascii: "\"") {
            guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { return nil }
            let inner = UnsafeRawBufferPointer(rebasing: bytes[1..<(bytes.count - 1)])
            guard !inner.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return nil }
            return inner
        }
        return bytes.allSatisfy(isToken) ? bytes : nil
    }

    /// `192.0.2.7`, `192.0.2.7:port`, `[v6]`, `[v6]:port`, and with `bareIPv6` a bare `v6`.
    private static func node(_ bytes: UnsafeRawBufferPointer, bareIPv6: Bool) -> IPAddress? {
        let colon = UInt8(ascii: ":")
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            let inner = UnsafeRawBufferPointer(rebasing: bytes[1..<close])
            let rest = UnsafeRawBufferPointer(rebasing: bytes[(close + 1)...])
            guard inner.contains(colon), rest.isEmpty || (rest.first == colon && isPort(rest.dropFirst())) else {
                return nil
            }
            return IPAddress(literal: inner)
        }
        switch bytes.count(where: { $0 == colon }) {
        case 0:
            return IPAddress(literal: bytes)
        case 1:
            let at = bytes.firstIndex(of: colon)!
            guard isPort(bytes[(at + 1)...]) else { return nil }
            return IPAddress(literal: UnsafeRawBufferPointer(rebasing: bytes[..<at]))
        default:
            return bareIPv6 ? IPAddress(literal: bytes) : nil
        }
    }

    private static func isPort(_ digits: Slice<UnsafeRawBufferPointer>) -> Bool {
        guard (1...5).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return false }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) } <= 65535
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// `tchar` (RFC 9110 §5.6.2).
    private static func isToken(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }
}
