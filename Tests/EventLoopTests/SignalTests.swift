import EventLoop
import Glibc
import Testing

extension EventLoopTests {
    @Suite struct SignalTests {
        @Test func raisedSIGHUPRunsTheHandlerOnTheLoop() throws {
            let delivered = Shared<[Int32]>([])
            let server = try RunningReactor { reactor in
                // Blocked on the loop thread only, so raise it there: raise() targets the caller.
                try reactor.onSignals([SIGHUP]) { [unowned reactor] signal in
                    #expect(reactor.isInLoopThread)
                    delivered.update { $0.append(signal) }
                }
            }
            defer { server.stop() }
            try server.onLoop { _ = raise(SIGHUP) }
            #expect(eventually { delivered.value == [SIGHUP] })
        }
    }
}
