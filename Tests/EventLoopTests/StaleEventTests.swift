import Glibc
import Testing

@testable import EventLoop

extension EventLoopTests {
    @Suite struct StaleEventTests {
        @Test(.timeLimit(.minutes(1)))
        func eventForAClosedRegistrationSkipsTheConnectionThatReusedItsFd() throws {
            // Needs the kernel to hand the freed fd to the next accept: in the shared test process,
            // another target's thread could take it, or free a lower one, in between.
            let test = "StaleEventTests/eventForAClosedRegistrationSkipsTheConnectionThatReusedItsFd"
            guard try IsolatedRun.inChildProcess(test) else { return }
            let server = try RunningReactor()
            defer { server.stop() }
            let read = Shared<[UInt8]>([])
            // All on the loop thread inside one task, so the reactor's own epoll cycle cannot step in
            // between: this is the situation of one batch of events in which an fd is closed and reused.
            let outcome = try server.onLoop { () -> (stale: [UInt8], fresh: [UInt8], staleEvents: Int) in
                let reactor = server.reactor
                let staleBefore = reactor.counters.staleEvents
                var accepted: [Connection] = []
                let listener = try reactor.listen(host: "127.0.0.1", port: 0) { connection in
                    connection.handler = RecordingHandler { bytes in read.update { $0 += bytes } }
                    accepted.append(connection)
                }
                defer { listener.close() }
                let first = try TestClient(port: listener.port)
                let second = try TestClient()  // takes its fd now, not the one freed below
                try #require(waitReadable(listener.fd))
                listener.acceptReady()
                let old = try #require(accepted.first)

                // Connect before the close, so the accept follows the close at once and the kernel
                // hands the freed number (lowest free first) to the new connection.
                try second.connect(port: listener.port)
                try #require(waitReadable(listener.fd))
                old.abort()
                listener.acceptReady()
                let new = try #require(accepted.last)
                try #require(new.fd == old.fd, "another thread took the freed fd first")

                try second.send("x")
                try #require(waitReadable(new.fd))  // a real read is waiting for whoever is dispatched
                reactor.dispatch(fd: old.fd, generation: old.generation, ready: .readable)
                let stale = read.value
                reactor.dispatch(fd: new.fd, generation: new.generation, ready: .readable)
                // `first` stays open until here: closing it early would free a lower fd for the accept.
                withExtendedLifetime(first) {}
                return (stale, read.value, reactor.counters.staleEvents - staleBefore)
            }
            #expect(outcome.stale.isEmpty)
            #expect(outcome.fresh == Array("x".utf8))
            #expect(outcome.staleEvents == 1)
        }
    }
}

/// Hands every byte read to `onRead`.
private final class RecordingHandler: ConnectionHandler {
    private let onRead: ([UInt8]) -> Void
    init(onRead: @escaping ([UInt8]) -> Void) { self.onRead = onRead }

    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        onRead(Array(input))
        return input.count
    }
    func connectionDidReachEOF(_ connection: Connection) { connection.close() }
    func connectionDidClose(_ connection: Connection) {}
}

/// Waits up to five seconds for `fd` to become readable (for a listener: a connection to accept).
private func waitReadable(_ fd: Int32) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, 5000) == 1
}
