import CLinux
import Glibc

/// A signalfd and the handler its signals go to; loop thread.
final class SignalSource {
    let fd: Int32
    private let handler: (Int32) -> Void

    init(fd: Int32, handler: @escaping (Int32) -> Void) {
        self.fd = fd
        self.handler = handler
    }

    func deliver() {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        while Glibc.read(fd, &info, size) == size {
            handler(Int32(info.ssi_signo))
        }
    }
}
