import CLinux
import EventLoop
import Foundation
import Glibc
import Testing

extension EventLoopTests {
    /// Process-wide fd accounting; serialized with everything else by the parent suite.
    @Suite struct ResourceTests {
        @Test(.timeLimit(.minutes(1)))
        func clientsResettingMidWriteLeakNoDescriptors() throws {
            // Counts the whole process's fds: other test targets run in parallel in this process.
            guard try IsolatedRun.inChildProcess("ResourceTests/clientsResettingMidWriteLeakNoDescriptors") else {
                return
            }
            let server = try RunningReactor()
            defer { server.stop() }
            let closedCallbacks = Shared(0)
            let port = try server.onLoop {
                try server.reactor.listen(host: "127.0.0.1", port: 0) { connection in
                    connection.handler = BulkReplyHandler(bytes: 1 << 20) { closedCallbacks.update { $0 += 1 } }
                }.port
            }
            let before = openDescriptorCount()
            for _ in 0..<50 {
                let client = try TestClient(port: port)
                try client.send("go")
                _ = try client.receive(exactly: 1000)  // the server is mid-way through 1 MiB
                client.setLingerZero()  // deinit closes with RST
            }
            #expect(eventually { server.reactor.countersSnapshot.openConnections == 0 })
            #expect(eventually { openDescriptorCount() <= before })
            #expect(closedCallbacks.value == 50)
            #expect(server.reactor.countersSnapshot.closed == 50)
        }

        @Test(.timeLimit(.minutes(1)))
        func acceptWaitsOutDescriptorExhaustionAndResumes() throws {
            // Lowers the process's fd limit: in a shared test process that would starve other tests.
            guard try IsolatedRun.inChildProcess("ResourceTests/acceptWaitsOutDescriptorExhaustionAndResumes") else {
                return
            }
            let server = try RunningReactor()
            defer { server.stop() }
            let port = try server.onLoop {
                try server.reactor.listen(host: "127.0.0.1", port: 0) { $0.handler = EchoHandler() }.port
            }
            // Take the clients' fds first, so only the server competes for what is left.
            let clients = try (0..<24).map { _ in try TestClient() }
            var soft: UInt64 = 0
            var hard: UInt64 = 0
            #expect(clinux_get_nofile(&soft, &hard) == 0)
            defer { _ = clinux_set_nofile(soft, hard) }
            let headroom = 6  // fds the server may still open
            // Fill the holes below the highest open fd, so the lowest free fd is above it.
            var placeholders: [Int32] = []
            defer { for fd in placeholders { Glibc.close(fd) } }
            let highest = highestOpenDescriptor()
            while true {
                let fd = dup(0)
                guard fd >= 0, fd < highest else {
                    if fd >= 0 { Glibc.close(fd) }
                    break
                }
                placeholders.append(fd)
            }
            #expect(clinux_set_nofile(UInt64(highest + 1 + headroom), hard) == 0)

            for client in clients {
                client.setTimeout(milliseconds: 200)
                try client.connect(port: port)  // completes in the kernel backlog
            }
            let startCycles = server.reactor.countersSnapshot.pollCycles
            usleep(500_000)
            let exhausted = server.reactor.countersSnapshot
            #expect(exhausted.acceptPauses > 0)
            // One fd of slack: the test runtime may close an fd of its own while the limit is low.
            #expect(exhausted.openConnections <= headroom + 1)
            #expect(exhausted.pollCycles - startCycles < 200)  // a ~100 ms back-off, not a spin

            // Accepted connections keep being served; finishing them frees fds for the rest.
            var served = Set<Int>()
            let deadline = Date().addingTimeInterval(20)
            while served.count < clients.count, Date() < deadline {
                for (index, client) in clients.enumerated() where !served.contains(index) {
                    try client.send("ping")
                    guard let echo = try? client.receive(exactly: 4) else { continue }
                    #expect(echo == Array("ping".utf8))
                    served.insert(index)
                    client.shutdownWrite()  // the echo handler closes on EOF, freeing an fd
                }
            }
            #expect(served.count == clients.count)
        }
    }
}

/// Writes `bytes` in 64 KiB pieces as the socket drains; reports its close.
final class BulkReplyHandler: ConnectionHandler {
    private var remaining: Int
    private let onClose: () -> Void

    init(bytes: Int, onClose: @escaping () -> Void) {
        remaining = bytes
        self.onClose = onClose
    }

    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        connectionDidDrain(connection)
        return input.count
    }
    func connectionDidDrain(_ connection: Connection) {
        guard remaining > 0 else { return }
        let piece = min(remaining, 64 * 1024)
        remaining -= piece
        connection.write([UInt8](repeating: 0x2A, count: piece))
    }
    func connectionDidReachEOF(_ connection: Connection) { connection.close() }
    func connectionDidClose(_ connection: Connection) { onClose() }
}

func openDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

func highestOpenDescriptor() -> Int {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return names.compactMap { Int($0) }.max() ?? 0
}
