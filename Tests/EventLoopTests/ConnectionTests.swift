import CLinux
import EventLoop
import Glibc
import Testing

extension EventLoopTests {
    @Suite struct ConnectionTests {
        @Test func pipelinedAnswersFromOneReadLeaveInOneWrite() throws {
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "127.0.0.1", port: 0) { $0.handler = LineAnswerHandler() }.port
            }
            let client = try TestClient(port: port)
            try client.send("warm-up\n")
            _ = try client.receive(exactly: 11)
            let before = try server.onLoop { server.reactor.counters.writeCalls }
            try client.send("a\nb\nc\n")
            let expected = Array("ok:a\nok:b\nok:c\n".utf8)
            #expect(try client.receive(exactly: expected.count) == expected)
            #expect(try server.onLoop { server.reactor.counters.writeCalls } - before == 1)
        }

        @Test func pausedInputIsOfferedAgainOnResumeWithoutNewBytes() throws {
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "127.0.0.1", port: 0) { connection in
                    connection.handler = OneLineThenPauseHandler(reactor: server.reactor)
                }.port
            }
            let client = try TestClient(port: port)
            try client.send("one\ntwo\nthree\n")  // all three arrive in one read
            let expected = Array("ok:one\nok:two\nok:three\n".utf8)
            #expect(try client.receive(exactly: expected.count) == expected)
        }

        @Test func abortInsideAHandlerClosesOnceAndDropsOutput() throws {
            let closes = Shared(0)
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "127.0.0.1", port: 0) { connection in
                    connection.handler = AbortingHandler { closes.update { $0 += 1 } }
                }.port
            }
            let client = try TestClient(port: port)
            try client.send("bye")
            #expect(try client.receiveUntilEOF().isEmpty)  // the write before abort never leaves
            #expect(eventually { closes.value == 1 })
            // Read on the loop: the published snapshot lags a cycle behind the close.
            #expect(try server.onLoop { server.reactor.counters.openConnections } == 0)
            #expect(closes.value == 1)
        }

        @Test func raiseFileLimitLiftsTheSoftLimitToTheHardOne() throws {
            var soft: UInt64 = 0
            var hard: UInt64 = 0
            #expect(clinux_get_nofile(&soft, &hard) == 0)
            defer { _ = clinux_set_nofile(soft, hard) }
            guard hard > 256 else { return }  // nothing to raise on this machine
            #expect(clinux_set_nofile(256, hard) == 0)
            #expect(Reactor.raiseFileLimit() == Int(hard))
            var now: UInt64 = 0
            #expect(clinux_get_nofile(&now, &hard) == 0)
            #expect(now == hard)
        }
    }
}

/// Answers one line per call, then pauses reading and resumes 20 ms later from a timer.
final class OneLineThenPauseHandler: ConnectionHandler {
    private unowned let reactor: Reactor  // the reactor holds this handler through its connection
    init(reactor: Reactor) { self.reactor = reactor }

    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        guard let end = input.firstIndex(of: UInt8(ascii: "\n")) else { return 0 }
        connection.write(Array("ok:".utf8))
        connection.write(UnsafeRawBufferPointer(rebasing: input[...end]))
        connection.pauseReading()
        reactor.schedule(after: 20) { connection.resumeReading() }
        return end + 1
    }
    func connectionDidReachEOF(_ connection: Connection) { connection.close() }
    func connectionDidClose(_ connection: Connection) {}
}

/// Writes something, then aborts, on the first input.
final class AbortingHandler: ConnectionHandler {
    private let onClose: () -> Void
    init(onClose: @escaping () -> Void) { self.onClose = onClose }

    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        connection.write(Array("never sent".utf8))
        connection.abort()
        return input.count
    }
    func connectionDidReachEOF(_ connection: Connection) { connection.close() }
    func connectionDidClose(_ connection: Connection) { onClose() }
}
