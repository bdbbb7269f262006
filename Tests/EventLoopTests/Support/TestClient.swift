import CLinux
import EventLoop
import Glibc

/// A blocking loopback TCP client for driving a reactor from test threads.
final class TestClient {
    let fd: Int32

    /// An unconnected socket (so tests can take fds before lowering RLIMIT_NOFILE).
    init(family: Int32 = AF_INET) throws {
        fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ReactorError.systemCall("socket", errno: errno) }
        setTimeout(milliseconds: 5000)
    }

    /// Connects to `host:port`.
    convenience init(host: String = "127.0.0.1", port: Int) throws {
        try self.init(family: host.contains(":") ? AF_INET6 : AF_INET)
        try connect(host: host, port: port)
    }

    deinit { Glibc.close(fd) }

    func connect(host: String = "127.0.0.1", port: Int) throws {
        var storage = sockaddr_storage()
        var length: socklen_t
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &address.sin6_addr)
            withUnsafeBytes(of: address) { src in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &address.sin_addr)
            withUnsafeBytes(of: address) { src in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        guard result == 0 else { throw ReactorError.systemCall("connect", errno: errno) }
    }

    func setTimeout(milliseconds: Int) {
        var time = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Makes `close` send RST instead of FIN.
    func setLingerZero() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { throw ReactorError.systemCall("send", errno: errno) }
            sent += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads exactly `count` bytes, or throws on EOF/timeout.
    func receive(exactly count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            guard n > 0 else { throw ReactorError.systemCall("recv", errno: n == 0 ? Int32(0) : errno) }
            got += n
        }
        return bytes
    }

    /// Reads until the peer closes (or `limit` bytes), or throws on timeout.
    func receiveUntilEOF(limit: Int = 1 << 26) throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw ReactorError.systemCall("recv", errno: errno) }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }
}
