import CLinux
import Glibc

extension Reactor {
    /// Delivers `signals` to `handler` on the loop thread through a signalfd. Blocks them in the
    /// calling thread, so call it on the loop thread before any other thread is started: threads
    /// inherit the mask, and an unblocked thread would take the signal's default action instead.
    /// The reactor keeps `handler` for its lifetime: capture the reactor `unowned` inside it.
    public func onSignals(_ signals: [Int32], _ handler: @escaping (Int32) -> Void) throws {
        assert(isInLoopThread)
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in signals { sigaddset(&mask, signal) }
        guard pthread_sigmask(SIG_BLOCK, &mask, nil) == 0 else {
            throw ReactorError.systemCall("pthread_sigmask", errno: errno)
        }
        let fd = signalfd(-1, &mask, Int32(SFD_NONBLOCK) | Int32(SFD_CLOEXEC))
        guard fd >= 0 else { throw ReactorError.systemCall("signalfd", errno: errno) }
        let source = SignalSource(fd: fd, handler: handler)
        do {
            try register(.signals(source), fd: fd, generation: nextGeneration(), interest: .readable)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }
}
