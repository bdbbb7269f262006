import CLinux
import Glibc

extension Reactor {
    /// Binds and listens on `host` (IPv4/IPv6 literal or "localhost") and `port` (0: any free
    /// port, see `Listener.port`) with SO_REUSEADDR, and SO_REUSEPORT if asked; `onAccept` gets
    /// each new connection on the loop thread and should set its handler. Loop thread.
    public func listen(
        host: String, port: Int, backlog: Int32 = 1024, reusePort: Bool = false,
        onAccept: @escaping (Connection) -> Void
    ) throws -> Listener {
        let address = try SocketAddress(host: host, port: port)
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ReactorError.systemCall("socket", errno: errno) }
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR")
            if reusePort { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT") }
            guard address.withSockaddr({ bind(fd, $0, $1) }) == 0 else {
                throw ReactorError.systemCall("bind", errno: errno)
            }
            guard Glibc.listen(fd, backlog) == 0 else { throw ReactorError.systemCall("listen", errno: errno) }
            return try adoptListener(fd: fd, onAccept: onAccept)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Takes over an already listening socket (systemd socket activation passes fd 3) and makes
    /// it nonblocking and close-on-exec. Loop thread.
    public func adoptListener(fd: Int32, onAccept: @escaping (Connection) -> Void) throws -> Listener {
        assert(isInLoopThread)
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0,
            fcntl(fd, F_SETFD, FD_CLOEXEC) == 0
        else {
            throw ReactorError.systemCall("fcntl", errno: errno)
        }
        let generation = nextGeneration()
        let listener = Listener(fd: fd, generation: generation, reactor: self, onAccept: onAccept)
        try register(.listener(listener), fd: fd, generation: generation, interest: .readable)
        return listener
    }

    func adoptConnection(fd: Int32) -> Connection {
        var one: Int32 = 1
        // Responses are written whole, so Nagle would only add latency.
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let generation = nextGeneration()
        let connection = Connection(fd: fd, generation: generation, reactor: self)
        do {
            try register(.connection(connection), fd: fd, generation: generation, interest: .readable)
        } catch {
            // Only ENOMEM/ENOSPC (epoll watch limit); the handler will see an immediate close.
            connection.abort()
            return connection
        }
        totals.accepted += 1
        totals.openConnections += 1
        return connection
    }

    private func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ label: String) throws {
        var one: Int32 = 1
        guard setsockopt(fd, level, name, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw ReactorError.systemCall("setsockopt(\(label))", errno: errno)
        }
    }
}
