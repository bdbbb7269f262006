import Glibc
import Synchronization

/// A TCP connection to the relay with blocking semantics and a deadline on every step: connect,
/// write a command, read a line. Built on a nonblocking socket and `poll`, so a relay that stops
/// answering costs one timeout, never a stuck thread. One thread uses it (the delivery thread);
/// `SMTPInterruption` may cut it short from another.
final class SMTPSocket {
    /// The longest reply line taken (RFC 5321 allows 512 bytes); longer is a broken relay.
    static let maximumLineBytes = 2048

    private let descriptor: Int32
    private let timeoutMilliseconds: Int
    private var buffer: [UInt8] = []
    private var closed = false

    /// Connects to `host:port` (a name or an address), trying each address the name has, each
    /// within `timeoutMilliseconds`.
    init(host: String, port: Int, timeoutMilliseconds: Int) throws(SMTPFailure) {
        self.timeoutMilliseconds = timeoutMilliseconds
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw .unreachable("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            let fd = socket(
                current.pointee.ai_family,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                lastError = String(cString: strerror(errno))
                continue
            }
            if Self.connect(
                fd, current.pointee.ai_addr, current.pointee.ai_addrlen, within: timeoutMilliseconds, error: &lastError)
            {
                descriptor = fd
                return
            }
            Glibc.close(fd)
        }
        if lastError == "timed out" { throw .timedOut(.connect) }
        throw .unreachable(lastError)
    }

    deinit {
        close()
    }

    /// The socket, for `SMTPInterruption`.
    var fileDescriptor: Int32 { descriptor }

    /// Sends all of `bytes`, waiting at most the timeout for the socket to take each part.
    func write(_ bytes: [UInt8], at stage: SMTPStage) throws(SMTPFailure) {
        var offset = 0
        while offset < bytes.count {
            try wait(for: Int16(POLLOUT), at: stage)
            let sent = bytes.withUnsafeBytes { raw in
                // MSG_NOSIGNAL: a relay that closed must not raise SIGPIPE in the whole daemon.
                send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .closed(stage)
            }
            offset += sent
        }
    }

    /// The next line the relay sends, without its CRLF (a bare LF ends one too), waiting at most
    /// the timeout for each part of it.
    func readLine(at stage: SMTPStage) throws(SMTPFailure) -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            guard buffer.count <= Self.maximumLineBytes else { throw .malformedReply(stage) }
            try wait(for: Int16(POLLIN), at: stage)
            var chunk = [UInt8](repeating: 0, count: 1024)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .closed(stage)
            }
            if count == 0 { throw .closed(stage) }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Closes the connection. Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
    }

    /// Waits until the socket is ready for `events`, at most the timeout; a hang-up or error counts
    /// as ready, so the next read or write reports it.
    private func wait(for events: Int16, at stage: SMTPStage) throws(SMTPFailure) {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        while true {
            let ready = poll(&entry, 1, Int32(clamping: timeoutMilliseconds))
            if ready > 0 { return }
            if ready == 0 { throw .timedOut(stage) }
            if errno != EINTR { throw .closed(stage) }
        }
    }

    /// A nonblocking connect finished within the timeout; false with `error` set otherwise.
    private static func connect(
        _ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, within milliseconds: Int,
        error: inout String
    ) -> Bool {
        if Glibc.connect(fd, address, length) == 0 { return true }
        guard errno == EINPROGRESS else {
            error = String(cString: strerror(errno))
            return false
        }
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var ready: Int32
        repeat { ready = poll(&entry, 1, Int32(clamping: milliseconds)) } while ready < 0 && errno == EINTR
        guard ready > 0 else {
            error = ready == 0 ? "timed out" : String(cString: strerror(errno))
            return false
        }
        var code: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size)
        guard code == 0 else {
            error = String(cString: strerror(code))
            return false
        }
        return true
    }
}

/// Lets another thread cut a delivery short (shutdown): shuts the socket down so the delivery
/// thread's wait ends at once, except while it waits for the relay's verdict on a mail it has sent
/// whole: cut there, the mail may have been accepted unknown to authd, and would go twice.
/// The socket is shut down under the lock, so it can never hit a descriptor closed and reused meanwhile.
final class SMTPInterruption: Sendable {
    private struct State {
        var descriptor: Int32?
        var interruptible = true
        var interrupted = false

        mutating func cutIfDue() {
            guard interrupted, interruptible, let descriptor else { return }
            Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
        }
    }

    private let state = Mutex(State())

    /// Whether `interrupt()` was called.
    var isInterrupted: Bool { state.withLock { $0.interrupted } }

    /// The delivery thread's socket from now on; nil before it closes it.
    func attach(_ descriptor: Int32?) {
        state.withLock { state in
            state.descriptor = descriptor
            state.cutIfDue()
        }
    }

    /// Whether `interrupt()` may cut the connection now; set back to true, a pending interruption
    /// takes effect.
    func setInterruptible(_ interruptible: Bool) {
        state.withLock { state in
            state.interruptible = interruptible
            state.cutIfDue()
        }
    }

    /// Cuts the connection now, or as soon as it becomes interruptible.
    func interrupt() {
        state.withLock { state in
            state.interrupted = true
            state.cutIfDue()
        }
    }
}
