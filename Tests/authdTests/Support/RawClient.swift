import Foundation

/// A blocking loopback TCP client for bytes no HTTP library would send.
final class RawClient {
    /// The socket; -1 after `reset()`.
    private(set) var fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to [::1]:`port`: the IPv6 loopback.
    init(ipv6LoopbackPort port: Int, timeoutSeconds: Int = 15) throws {
        fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawClientError.socket(errno) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        address.sin6_addr = in6addr_loopback
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw RawClientError.connect(errno)
        }
    }

    /// Connects to `port` on 127.0.0.1, from `source` when given: any 127.a.b.c reaches the server
    /// on 127.0.0.1 and is another client address to it.
    init(port: Int, timeoutSeconds: Int = 15, from source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawClientError.socket(errno) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                fd = -1
                throw RawClientError.bind(code)
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            fd = -1
            throw RawClientError.connect(code)
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Closes at once with RST (SO_LINGER 0): the server sees the connection gone, not an EOF.
    func reset() {
        guard fd >= 0 else { return }
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
        fd = -1
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw RawClientError.send(errno) }
            sent += n
        }
    }

    /// Reads one whole response (Content-Length framed); nil if the peer closed first.
    func readResponse() throws -> RawResponse? {
        while true {
            if let response = RawResponse.parse(&buffer) { return response }
            guard try fill() else { return nil }
        }
    }

    /// Every byte the server sends until it closes, as they came (unframed: a HEAD answer's head
    /// announces a body that does not follow).
    func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffer.removeAll() }
        return buffer
    }

    /// True when the server closed the connection (EOF or reset) before sending more bytes.
    func isClosedByPeer() -> Bool {
        (try? fill()) != true
    }

    /// Reads more bytes; false on EOF.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return false }
        if n < 0 {
            if errno == ECONNRESET { return false }
            throw RawClientError.receive(errno)
        }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }
}

/// One parsed response from `RawClient`.
struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    var json: [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: String] ?? [:]
    }

    static func parse(_ buffer: inout [UInt8]) -> RawResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4,
            let end = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<$0 + 4]) == separator })
        else { return nil }
        let head = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [(String, String)] = []
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        let bodyStart = end + 4
        if status == 100 {
            buffer.removeFirst(bodyStart)
            return RawResponse(status: 100, headers: headers, body: [])
        }
        guard buffer.count >= bodyStart + length else { return nil }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        buffer.removeFirst(bodyStart + length)
        return RawResponse(status: status, headers: headers, body: body)
    }
}

enum RawClientError: Error {
    case socket(Int32)
    case bind(Int32)
    case connect(Int32)
    case send(Int32)
    case receive(Int32)
}
