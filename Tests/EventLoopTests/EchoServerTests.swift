import CLinux
import EventLoop
import Foundation
import Glibc
import Synchronization
import Testing

extension EventLoopTests {
    @Suite struct EchoServerTests {
        @Test(.timeLimit(.minutes(1)))
        func thousandConcurrentConnectionsGetEveryByteRight() throws {
            _ = Reactor.raiseFileLimit()
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "127.0.0.1", port: 0) { $0.handler = LineAnswerHandler() }.port
            }
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { thread in
                do {
                    let clients = try (0..<250).map { _ in try TestClient(port: port) }
                    for round in 0..<3 {
                        for (index, client) in clients.enumerated() {
                            try client.send("t\(thread)-c\(index)-r\(round)\n")
                        }
                        for (index, client) in clients.enumerated() {
                            let expected = Array("ok:t\(thread)-c\(index)-r\(round)\n".utf8)
                            let reply = try client.receive(exactly: expected.count)
                            if reply != expected {
                                failures.withLock { $0.append(String(decoding: reply, as: UTF8.self)) }
                            }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("thread \(thread): \(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(try server.onLoop { server.reactor.counters.accepted } == 1000)
        }

        @Test func inputSplitAcrossReadsIsOfferedWithItsLeftover() throws {
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "127.0.0.1", port: 0) { $0.handler = LineAnswerHandler() }.port
            }
            let client = try TestClient(port: port)
            try client.send("hel")
            usleep(50_000)  // let the partial line be read and kept on its own
            try client.send("lo\nsecond\nthi")
            usleep(50_000)
            try client.send("rd\n")
            let expected = Array("ok:hello\nok:second\nok:third\n".utf8)
            #expect(try client.receive(exactly: expected.count) == expected)
        }

        @Test func halfClosedClientStillReadsTheReply() throws {
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "127.0.0.1", port: 0) { $0.handler = SummaryOnEOFHandler() }.port
            }
            let client = try TestClient(port: port)
            try client.send("hello")
            client.shutdownWrite()
            #expect(try client.receiveUntilEOF() == Array("got 5 bytes".utf8))
        }

        @Test func listensOnIPv6Loopback() throws {
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "::1", port: 0) { $0.handler = PeerAddressHandler() }.port
            }
            let client = try TestClient(host: "::1", port: port)
            try client.send("x")
            #expect(try client.receive(exactly: 3) == Array("::1".utf8))
        }

        @Test func localhostMeansIPv4LoopbackAndReportsPeer() throws {
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "localhost", port: 0) { $0.handler = PeerAddressHandler() }.port
            }
            let client = try TestClient(port: port)
            try client.send("x")
            #expect(try client.receive(exactly: 9) == Array("127.0.0.1".utf8))
        }

        @Test func rejectsHostsThatAreNotLiterals() throws {
            let reactor = try Reactor()
            #expect(throws: ReactorError.invalidAddress("example.com")) {
                try reactor.listen(host: "example.com", port: 0) { _ in }
            }
        }

        @Test func adoptedListeningSocketAcceptsConnections() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            #expect(bound == 0)
            #expect(Glibc.listen(fd, 16) == 0)
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.adoptListener(fd: fd) { $0.handler = EchoHandler() }.port
            }
            #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
            let client = try TestClient(port: port)
            try client.send("adopted")
            #expect(try client.receive(exactly: 7) == Array("adopted".utf8))
        }

        @Test func twoReactorsShareOnePortWithReusePort() throws {
            let first = try RunningReactor()
            defer { first.stop() }
            let second = try RunningReactor()
            defer { second.stop() }
            let port = try first.onLoop {
                try first.reactor.listen(host: "127.0.0.1", port: 0, reusePort: true) { $0.handler = EchoHandler() }
                    .port
            }
            let secondPort = try second.onLoop {
                try second.reactor.listen(host: "127.0.0.1", port: port, reusePort: true) { $0.handler = EchoHandler() }
                    .port
            }
            #expect(secondPort == port)
            // The kernel spreads connections over both listeners by their address hash: 200 clients,
            // each from its own port, all echo back, and each reactor takes a share.
            for index in 0..<200 {
                let client = try TestClient(port: port)
                try client.send("c\(index)")
                #expect(try client.receive(exactly: "c\(index)".utf8.count) == Array("c\(index)".utf8))
            }
            let counts = (
                try first.onLoop { first.reactor.counters.accepted },
                try second.onLoop { second.reactor.counters.accepted }
            )
            #expect(counts.0 + counts.1 == 200)
            #expect(counts.0 > 0 && counts.1 > 0, "accepted: \(counts)")
        }

        @Test func closedListenerStopsAcceptingButKeepsConnections() throws {
            let listenerBox = ResultBox<LoopBound<Listener>>()
            let server = try RunningReactor { reactor in
                let listener = try reactor.listen(host: "127.0.0.1", port: 0) { $0.handler = EchoHandler() }
                listenerBox.set(.success(LoopBound(listener, reactor: reactor)))
            }
            defer { server.stop() }
            let port = try server.onLoop { try listenerBox.get().value.port }
            let client = try TestClient(port: port)
            #expect(eventually { server.reactor.countersSnapshot.accepted == 1 })
            try server.onLoop { try listenerBox.get().value.close() }
            try client.send("still here")
            #expect(try client.receive(exactly: 10) == Array("still here".utf8))
            #expect(throws: ReactorError.self) { try TestClient(port: port) }
        }
    }
}

/// Reads everything, and on EOF answers with the byte count and closes.
final class SummaryOnEOFHandler: ConnectionHandler {
    private var total = 0
    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        total += input.count
        return input.count
    }
    func connectionDidReachEOF(_ connection: Connection) {
        connection.write(Array("got \(total) bytes".utf8))
        connection.close()
    }
    func connectionDidClose(_ connection: Connection) {}
}

/// Answers any input with the peer's textual address.
final class PeerAddressHandler: ConnectionHandler {
    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        connection.write(Array(connection.peerAddress.utf8))
        return input.count
    }
    func connectionDidReachEOF(_ connection: Connection) { connection.close() }
    func connectionDidClose(_ connection: Connection) {}
}
