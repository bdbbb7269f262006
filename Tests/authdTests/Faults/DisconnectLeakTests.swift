import Foundation
import Testing

extension HeavyFaultSuites {
    /// Clients that vanish mid-request, mid-hash or mid-response leave nothing behind: authd's fd
    /// count returns to its baseline and its resident memory stays bounded.
    @Suite struct DisconnectLeakTests {
        private static let body = "email=leak%40x&password=pw"
        private static let login =
            "POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"

        /// One client of each kind per index: cut mid-head or mid-body (half of them with RST), a
        /// login dropped while bcrypt runs, and 200 pipelined answers dropped unread.
        private static func vanish(_ index: Int, port: Int) {
            guard let partial = try? RawClient(port: port) else { return }
            let cut = index % 2 == 0 ? "GET / HTTP/1.1\r\nHost: x\r\nX-A: " : String(login.dropLast(5))
            try? partial.send(cut)
            if index % 4 < 2 { resetOnClose(partial.fd) }

            if let hashing = try? RawClient(port: port) {
                try? hashing.send(login)
            }

            guard let reading = try? RawClient(port: port) else { return }
            try? reading.send(String(repeating: "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", count: 200))
            var first = [UInt8](repeating: 0, count: 100)
            _ = first.withUnsafeMutableBytes { recv(reading.fd, $0.baseAddress, $0.count, 0) }
        }

        private static func resetOnClose(_ fd: Int32) {
            var option = linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        }

        @Test func tenThousandVanishingClientsLeakNoDescriptorsAndBoundedMemory() async throws {
            // Logins verify a cost-6 hash: long enough that clients leave while it runs or waits.
            let server = try AuthdProcess(arguments: ["--bcrypt-cost", "6"])
            let seen = try await onOwnThread { try Self.vanishing(against: server) }
            #expect(seen.registered == 200)
            #expect(seen.filesAfter <= seen.filesBefore, "fds: \(seen.filesAfter) after, \(seen.filesBefore) before")
            #expect(seen.grownKiB < 16 * 1024, "VmRSS grew by \(seen.grownKiB) KiB")
            #expect(try server.stillServes())
        }

        /// 200 warm-up rounds, the baseline, then 3334 rounds: 10 002 vanishing clients.
        private static func vanishing(against server: AuthdProcess) throws
            -> (registered: Int?, filesBefore: Int, filesAfter: Int, grownKiB: Int)
        {
            let pid = server.process.processIdentifier
            let port = server.port
            let registered: Int?
            do {
                let register = try RawClient(port: port)
                try register.send(Self.login.replacingOccurrences(of: "/sessions", with: "/users"))
                registered = try register.readResponse()?.status
            }

            // Warm-up: reach the allocator's and SQLite's steady state before taking the baseline.
            onThreads(4) { thread in
                for index in stride(from: thread, to: 200, by: 4) { Self.vanish(index, port: port) }
            }
            let baselineFiles = ProcessProbe.settledOpenFiles(pid)
            let baselineKiB = ProcessProbe.residentKiB(pid)

            onThreads(4) { thread in
                for index in stride(from: thread, to: 3334, by: 4) { Self.vanish(index, port: port) }
            }
            _ = waitUntil(within: 60) { ProcessProbe.openFiles(pid) <= baselineFiles }
            return (registered, baselineFiles, ProcessProbe.openFiles(pid), ProcessProbe.residentKiB(pid) - baselineKiB)
        }
    }
}
