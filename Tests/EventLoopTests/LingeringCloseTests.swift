import EventLoop
import Glibc
import Testing

extension EventLoopTests {
    @Suite struct LingeringCloseTests {
        /// Without a lingering close, closing with unread input makes the kernel send RST, which
        /// throws away the part of the answer still queued in the server's socket.
        @Test func aClientStillSendingReceivesTheWholeFinalAnswer() throws {
            let answerSize = 2 << 20
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "127.0.0.1", port: 0) { connection in
                    connection.handler = AnswerThenCloseHandler(answerSize: answerSize)
                }.port
            }
            let (received, readError) = try Self.readWhileSending(port: port)
            #expect(readError == 0)
            #expect(received.count == answerSize)
            #expect(received.allSatisfy { $0 == UInt8(ascii: "a") })
            // The client closed after reading: the server sees its EOF and closes without waiting.
            #expect(eventually { server.reactor.countersSnapshot.openConnections == 0 })
        }

        /// Asks for the answer, then keeps sending while reading it until EOF or an error.
        private static func readWhileSending(port: Int) throws -> (received: [UInt8], readError: Int32) {
            let client = try TestClient(port: port)
            client.setOption(SOL_SOCKET, SO_RCVBUF, 16 * 1024)  // keep most of the answer queued server-side
            try client.send("go\n")
            usleep(100_000)  // the server has answered and stopped reading: what follows stays unread
            // 128 KiB in all: under the linger byte bound
            let junk = [UInt8](repeating: UInt8(ascii: "x"), count: 1024)
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 16384)
            var readError: Int32 = 0
            while true {
                _ = junk.withUnsafeBytes {
                    Glibc.send(client.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                let n = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 {
                    readError = n == 0 ? 0 : errno
                    break
                }
                received.append(contentsOf: chunk[0..<n])
            }
            return (received, readError)
        }

        @Test func aPeerThatNeverClosesIsReleasedAfterTheLingerBound() throws {
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "127.0.0.1", port: 0) { connection in
                    connection.handler = AnswerThenCloseHandler(answerSize: 10)
                }.port
            }
            let client = try TestClient(port: port)
            try client.send("go\n")
            #expect(try client.receive(exactly: 10) == [UInt8](repeating: UInt8(ascii: "a"), count: 10))
            // The client neither reads EOF nor closes: the server gives up on its own.
            #expect(eventually(within: 15) { server.reactor.countersSnapshot.openConnections == 0 })
        }
    }
}

/// Answers the first bytes with `answerSize` bytes of "a", then closes.
final class AnswerThenCloseHandler: ConnectionHandler {
    private let answerSize: Int
    private var answered = false
    init(answerSize: Int) { self.answerSize = answerSize }

    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        if !answered {
            answered = true
            connection.write([UInt8](repeating: UInt8(ascii: "a"), count: answerSize))
            connection.close()
        }
        return input.count
    }

    func connectionDidReachEOF(_ connection: Connection) { connection.close() }
    func connectionDidClose(_ connection: Connection) {}
}
