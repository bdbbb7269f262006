import CLinux
import EventLoop
import Glibc
import Synchronization
import Testing

extension EventLoopTests {
    @Suite struct BackpressureTests {
        @Test(.timeLimit(.minutes(1)))
        func slowReaderKeepsPendingOutputWithinBoundPlusOneChunk() throws {
            let chunk = 256 * 1024
            let requests = 64  // 16 MiB in all, far more than the socket buffers hold
            let bound = 256 * 1024
            let observed = Shared(0)
            let server = try RunningReactor { reactor in
                reactor.maxPendingOutput = bound
            }
            defer { server.stop() }
            let listenPort = try server.onLoop { () throws -> Int in
                try server.reactor.listen(host: "127.0.0.1", port: 0) { connection in
                    connection.handler = AmplifyingHandler(chunk: chunk) { pending in
                        observed.update { $0 = max($0, pending) }
                    }
                }.port
            }
            let client = try TestClient()
            client.setOption(SOL_SOCKET, SO_RCVBUF, 32 * 1024)
            try client.connect(port: listenPort)
            try client.send([UInt8](repeating: UInt8(ascii: "x"), count: requests))
            usleep(300_000)  // do not read: the server must hold back rather than buffer 16 MiB
            let stalled = observed.value
            #expect(stalled > 0)
            #expect(stalled <= bound + chunk)

            let body = try client.receive(exactly: chunk * requests)
            for index in stride(from: 0, to: body.count, by: chunk) {
                #expect(body[index] == UInt8(truncatingIfNeeded: index / chunk))
            }
            #expect(observed.value <= bound + chunk)
        }
    }
}

/// Answers each input byte with `chunk` bytes (all equal to the request's index), one request
/// per call, and reports the pending output after each answer.
final class AmplifyingHandler: ConnectionHandler {
    private let chunk: Int
    private let report: (Int) -> Void
    private var answered = 0

    init(chunk: Int, report: @escaping (Int) -> Void) {
        self.chunk = chunk
        self.report = report
    }

    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        connection.write([UInt8](repeating: UInt8(truncatingIfNeeded: answered), count: chunk))
        answered += 1
        report(connection.pendingOutputBytes)
        return 1
    }
    func connectionDidReachEOF(_ connection: Connection) { connection.close() }
    func connectionDidClose(_ connection: Connection) {}
}
