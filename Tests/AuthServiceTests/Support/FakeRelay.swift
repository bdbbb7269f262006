import Foundation
import Glibc
import Synchronization

/// A scripted SMTP relay on a loopback port, in this process: each accepted connection plays the
/// next script, step by step, and what the client sent is recorded. Connections beyond the scripts
/// are closed at once. For protocol edge cases a real server would not produce on demand.
final class FakeRelay: Sendable {
    enum Step: Sendable {
        /// Sends these bytes as they are (CRLF included where wanted).
        case send(String)
        /// Reads one command line and records it.
        case readLine
        /// Reads a DATA block up to its closing `.` line and records it (dot-stuffed, as sent).
        case readData
        /// Waits this long without a word.
        case hang(seconds: Double)
        /// Closes the connection.
        case close
    }

    private struct Record {
        var connections = 0
        var lines: [String] = []
        var data: [[UInt8]] = []
    }

    // A class of its own: the relay thread shares it, and Mutex and Atomic cannot be captured.
    private final class Shared: Sendable {
        let record = Mutex(Record())
        let stopped = Atomic<Bool>(false)
        /// Set by the relay thread once it has closed the listener and every connection.
        let exited = Atomic<Bool>(false)
    }

    let port: Int
    private let shared = Shared()

    /// Listens on a free loopback port and serves `scripts`, one per connection, in order.
    init(_ scripts: [[Step]]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let shared = self.shared
        Thread.detachNewThread {
            var remaining = scripts[...]
            while !shared.stopped.load(ordering: .relaxed) {
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 50) > 0 else { continue }
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                shared.record.withLock { $0.connections += 1 }
                if let script = remaining.popFirst() { Self.play(script, on: client, shared) }
                Glibc.close(client)
            }
            // Only this thread closes its descriptors: from another, the number might already be
            // another test's socket.
            Glibc.close(fd)
            shared.exited.store(true, ordering: .releasing)
        }
    }

    deinit {
        stop()
    }

    /// Stops the relay and waits until its port is closed (the connection being played ends at its
    /// next step, within about 50 ms). Later calls return at once.
    func stop() {
        shared.stopped.store(true, ordering: .relaxed)
        while !shared.exited.load(ordering: .acquiring) { usleep(5_000) }
    }

    var connections: Int { shared.record.withLock { $0.connections } }
    var lines: [String] { shared.record.withLock { $0.lines } }
    var data: [[UInt8]] { shared.record.withLock { $0.data } }

    /// Waits up to `seconds` for `condition` to hold, sleeping as a task (a blocking wait would hold
    /// one of the few threads every async test shares); whether it did.
    func eventually(seconds: Double = 10, _ condition: (FakeRelay) -> Bool) async -> Bool {
        let limit = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < limit {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition(self)
    }

    /// Waits up to `seconds` for `condition` to hold; whether it did. For synchronous tests, whose
    /// waits are short.
    func wait(seconds: Double = 10, until condition: (FakeRelay) -> Bool) -> Bool {
        let limit = Date().addingTimeInterval(seconds)
        while Date() < limit {
            if condition(self) { return true }
            usleep(5_000)
        }
        return condition(self)
    }

    private static func play(_ script: [Step], on client: Int32, _ shared: Shared) {
        var buffer: [UInt8] = []
        /// Reads until `buffer` holds `end`; the bytes before it (and it), or nil on close.
        func read(until end: [UInt8]) -> [UInt8]? {
            while true {
                if let range = buffer.firstRange(of: end) {
                    let taken = Array(buffer[..<range.upperBound])
                    buffer.removeSubrange(..<range.upperBound)
                    return taken
                }
                // In slices, so that a stopped relay ends a wait for a client that sends nothing.
                var entry = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                var waited = 0
                while poll(&entry, 1, 50) == 0 {
                    waited += 50
                    guard waited < 30_000, !shared.stopped.load(ordering: .relaxed) else { return nil }
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = recv(client, &chunk, chunk.count, 0)
                guard count > 0 else { return nil }
                buffer.append(contentsOf: chunk[..<count])
            }
        }
        for step in script {
            switch step {
            case let .send(text):
                let bytes = Array(text.utf8)
                guard Glibc.send(client, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return }
            case .readLine:
                guard let line = read(until: Array("\r\n".utf8)) else { return }
                shared.record.withLock { $0.lines.append(String(decoding: line.dropLast(2), as: UTF8.self)) }
            case .readData:
                // The block may be just ".\r\n" after the DATA line.
                if buffer.starts(with: Array(".\r\n".utf8)) {
                    buffer.removeFirst(3)
                    shared.record.withLock { $0.data.append(Array(".\r\n".utf8)) }
                    continue
                }
                guard let block = read(until: Array("\r\n.\r\n".utf8)) else { return }
                shared.record.withLock { $0.data.append(block) }
            case let .hang(seconds):
                let limit = Date().addingTimeInterval(seconds)
                while Date() < limit && !shared.stopped.load(ordering: .relaxed) {
                    var entry = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                    // A client gone ends the hang: its end of the story is what the test looks at.
                    if poll(&entry, 1, 20) > 0 {
                        var byte: UInt8 = 0
                        if recv(client, &byte, 1, Int32(MSG_PEEK)) <= 0 { return }
                        usleep(20_000)
                    }
                }
            case .close:
                return
            }
        }
    }
}

extension FakeRelay {
    /// A relay that takes one mail: greeting, EHLO with extensions, MAIL, RCPT, DATA, the data, QUIT.
    static func accepting(greeting: String = "220 relay.test ESMTP\r\n", extensions: [String] = ["8BITMIME"]) -> [Step]
    {
        let hello = (["relay.test"] + extensions).enumerated().map { index, line in
            "250\(index == extensions.count ? " " : "-")\(line)\r\n"
        }.joined()
        return [
            .send(greeting), .readLine, .send(hello), .readLine, .send("250 2.1.0 ok\r\n"), .readLine,
            .send("250 2.1.5 ok\r\n"), .readLine, .send("354 go ahead\r\n"), .readData, .send("250 2.0.0 queued\r\n"),
            .readLine, .send("221 2.0.0 bye\r\n"), .close,
        ]
    }

    /// Plays the accepting script up to `stage` (`"MAIL"`, `"RCPT"`, `"DATA"`, `"END"`), then answers `reply` there.
    static func refusing(at stage: String, with reply: String) -> [Step] {
        var script = accepting()
        let index: Int
        switch stage {
        case "MAIL": index = 4
        case "RCPT": index = 6
        case "DATA": index = 8
        default: index = 10
        }
        script[index] = .send(reply)
        script.removeSubrange((index + 1)...)
        script.append(contentsOf: [.readLine, .send("221 bye\r\n"), .close])
        return script
    }
}

/// Runs blocking `body` (a socket dialogue, a join) on a thread of its own, so that it holds none
/// of the few threads every async test of the run shares.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
