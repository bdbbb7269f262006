import CLinux
import Glibc

/// One accepted TCP connection. Loop-confined: use it only on its reactor's thread (carry it
/// across threads in a `LoopBound`).
///
/// Output is buffered and written with one `write` at the end of the loop cycle, so several
/// responses produced in one cycle leave in one syscall; EPOLLOUT is armed only while output waits.
///
/// `close()` lingers: after the output is flushed it half-closes and discards what the peer still
/// sends until EOF (bounded in time and bytes), because closing with unread input makes the kernel
/// send RST, which can destroy the final answer before the peer has read it.
public final class Connection {
    private enum State { case open, closing, lingering, closed }

    /// Longest wait for the peer's EOF after our final answer left.
    static let lingerMilliseconds = 2000
    /// Most bytes discarded while lingering before giving up on the peer's EOF.
    static let lingerBytes = 256 * 1024

    /// Receives this connection's events; released after `connectionDidClose`.
    public var handler: ConnectionHandler? {
        get { eventHandler }
        set { eventHandler = newValue }
    }
    /// Output bound above which reading stops until it drains to half (backpressure).
    public var maxPendingOutput: Int {
        get { outputBound }
        set { outputBound = newValue }
    }
    // Public properties keep their storage internal: with every access in sight, the optimizer drops
    // the runtime exclusivity checks it must otherwise make on each hot-path read (callgrind).
    private var eventHandler: ConnectionHandler?
    private var outputBound: Int

    let fd: Int32
    /// This registration's tag on epoll events; every `poller.modify` must repeat it.
    let generation: UInt32
    private unowned let reactor: Reactor
    private var input = ByteQueue()
    private var output = ByteQueue()
    private var state = State.open
    private var registered = Interest.readable
    private var readingPausedByUser = false
    private var backpressured = false
    private var reachedEOF = false
    private var waitingForWritable = false
    private var inDirtyList = false
    private var needsInputReoffer = false
    private var lingerBudget = 0
    private var lingerTimer: TimerHandle?
    /// Bytes the socket took from this connection so far; stays put while the peer does not read.
    public var bytesWritten: Int { bytesTaken }
    private var bytesTaken = 0

    init(fd: Int32, generation: UInt32, reactor: Reactor) {
        self.fd = fd
        self.generation = generation
        self.reactor = reactor
        self.outputBound = reactor.maxPendingOutput
    }

    /// Bytes written by the handler and not yet taken by the socket.
    public var pendingOutputBytes: Int { output.count }

    /// False once closed or aborted.
    public var isOpen: Bool { state != .closed }

    /// The peer's IP address as text ("127.0.0.1", "::1"); "" if unknown. Looked up on demand
    /// so idle connections do not carry it.
    public var peerAddress: String { SocketAddress.peer(of: fd) ?? "" }

    /// Queues bytes for sending at the end of this loop cycle; ignored once closing.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        assert(reactor.isInLoopThread)
        guard state == .open, !bytes.isEmpty else { return }
        appendToOutput(bytes)
        if output.count > outputBound { backpressured = true }
        markDirty()
    }

    /// Queues bytes for sending at the end of this loop cycle; ignored once closing.
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Stops offering input (the socket is no longer read) until `resumeReading()`.
    public func pauseReading() {
        assert(reactor.isInLoopThread)
        readingPausedByUser = true
        markDirty()
    }

    /// Offers kept input again and resumes reading the socket.
    public func resumeReading() {
        assert(reactor.isInLoopThread)
        guard readingPausedByUser else { return }
        readingPausedByUser = false
        needsInputReoffer = !input.isEmpty
        markDirty()
    }

    /// Closes after pending output is written and the peer's EOF (or the linger bound); no more
    /// input is offered.
    public func close() {
        assert(reactor.isInLoopThread)
        guard state == .open else { return }
        state = .closing
        markDirty()
    }

    /// Closes now, dropping pending output.
    public func abort() {
        assert(reactor.isInLoopThread)
        guard state != .closed else { return }
        state = .closed
        if let lingerTimer { reactor.cancel(lingerTimer) }
        lingerTimer = nil
        Glibc.close(fd)  // also removes the fd from the epoll set: we never dup it
        reactor.unregister(fd)
        reactor.totals.openConnections -= 1
        reactor.totals.closed += 1
        output.consume(output.count)
        freeOutputIfEmpty()
        let handler = eventHandler
        eventHandler = nil  // breaks the usual handler <-> connection cycle
        handler?.connectionDidClose(self)
    }

    private var wantsInput: Bool {
        state == .open && !readingPausedByUser && !backpressured
    }

    private func markDirty() {
        guard !inDirtyList, state != .closed else { return }
        inDirtyList = true
        reactor.markDirty(self)
    }

    /// Loop: readiness from epoll.
    func handle(_ ready: Interest) {
        if state == .lingering {
            if !ready.isDisjoint(with: [.readable, .hangup]) { discardLingeringInput() }
            return
        }
        if ready.contains(.writable), waitingForWritable { flush() }
        if ready.contains(.readable), wantsInput, !reachedEOF, state == .open {
            readFromSocket()
        } else if !ready.isDisjoint(with: .hangup), state != .closed, !waitingForWritable {
            // Error or hang-up while neither reading nor writing: level-triggered epoll would
            // report it forever, and the peer is gone, so give up now.
            abort()
        }
    }

    private func readFromSocket() {
        let reactor = self.reactor  // one strong reference instead of an `unowned` check per use
        let scratch = reactor.scratch
        let got = Glibc.read(fd, scratch.baseAddress, scratch.count)
        if got > 0 {
            reactor.totals.bytesIn += got
            deliver(UnsafeRawBufferPointer(start: scratch.baseAddress, count: got))
        } else if got == 0 {
            reachedEOF = true
            markDirty()  // drop EPOLLIN interest
            eventHandler?.connectionDidReachEOF(self)
        } else if errno != EAGAIN && errno != EINTR {
            abort()
        }
    }

    private func deliver(_ fresh: UnsafeRawBufferPointer) {
        if input.isEmpty {
            // Common case: offer straight from the shared scratch and copy only the leftover.
            let consumed = offer(fresh)
            if state == .open, consumed < fresh.count {
                appendToInput(UnsafeRawBufferPointer(rebasing: fresh[consumed...]))
            }
        } else {
            appendToInput(fresh)
            offerKeptInput()
        }
    }

    private func offerKeptInput() {
        // `readable` stays valid during the handler calls: only this method touches `input`.
        let consumed = offer(input.readable)
        input.consume(consumed)
        freeInputIfEmpty()
    }

    // ByteQueue grows and frees with realloc and free. A stored-property access that spans a C call
    // keeps a runtime exclusivity check on every access to that property (several per request,
    // callgrind), so such changes are made to the queue moved into a local and back.

    private func appendToInput(_ bytes: UnsafeRawBufferPointer) {
        var queue = ByteQueue()
        swap(&queue, &input)
        queue.append(bytes)
        swap(&queue, &input)
    }

    private func appendToOutput(_ bytes: UnsafeRawBufferPointer) {
        var queue = ByteQueue()
        swap(&queue, &output)
        queue.append(bytes)
        swap(&queue, &output)
    }

    private func freeInputIfEmpty() {
        var queue = ByteQueue()
        swap(&queue, &input)
        queue.shrinkIfEmpty(keeping: 0)
        swap(&queue, &input)
    }

    private func freeOutputIfEmpty() {
        var queue = ByteQueue()
        swap(&queue, &output)
        queue.shrinkIfEmpty(keeping: 0)
        swap(&queue, &output)
    }

    private func offer(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < bytes.count, wantsInput, let handler = eventHandler {
            let consumed = handler.connection(self, didRead: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            precondition(consumed >= 0 && consumed <= bytes.count - offset, "handler consumed more than offered")
            if consumed == 0 { break }
            offset += consumed
        }
        return offset
    }

    /// Loop, end of cycle: re-offer input if resumed, write output once, update epoll interest.
    func endOfCycle() {
        inDirtyList = false
        if needsInputReoffer, wantsInput {
            needsInputReoffer = false
            offerKeptInput()
        }
        flush()
    }

    private func flush() {
        guard state != .closed else { return }
        if !output.isEmpty {
            let reactor = self.reactor  // one strong reference instead of an `unowned` check per use
            let pending = output.readable
            let written = Glibc.write(fd, pending.baseAddress, pending.count)
            reactor.totals.writeCalls += 1
            if written < 0 {
                guard errno == EAGAIN || errno == EINTR else { return abort() }
            } else {
                reactor.totals.bytesOut += written
                bytesTaken += written
                output.consume(written)
                if output.isEmpty { outputDrained() }
            }
            guard state != .closed else { return }
        }
        waitingForWritable = !output.isEmpty
        if backpressured, output.count <= outputBound / 2 {
            backpressured = false
            needsInputReoffer = !input.isEmpty
            if needsInputReoffer { markDirty() }
        }
        if state == .closing, output.isEmpty { return linger() }
        updateInterest()
    }

    private func linger() {
        // After our EOF the kernel has nothing unread to reset over: close at once.
        guard !reachedEOF, Glibc.shutdown(fd, Int32(SHUT_WR)) == 0 else { return abort() }
        state = .lingering
        lingerBudget = Self.lingerBytes
        lingerTimer = reactor.schedule(after: Self.lingerMilliseconds) { [weak self] in
            self?.lingerTimer = nil
            self?.abort()
        }
        updateInterest()
    }

    private func discardLingeringInput() {
        let scratch = reactor.scratch
        let got = Glibc.read(fd, scratch.baseAddress, scratch.count)
        if got > 0 {
            reactor.totals.bytesIn += got
            lingerBudget -= got
            if lingerBudget <= 0 { abort() }
        } else if got == 0 || (errno != EAGAIN && errno != EINTR) {
            abort()
        }
    }

    private func outputDrained() {
        // Freed at once: an idle keep-alive connection then holds no output buffer (512 bytes or
        // more each), for the price of a malloc and free per answer (tcache: a few dozen instructions).
        freeOutputIfEmpty()
        if state == .open { eventHandler?.connectionDidDrain(self) }
    }

    // Forced: with the generation argument the optimizer stopped inlining this into `flush`, which
    // runs it on every request, and the call cost ~20 instructions per `GET /` (callgrind).
    @inline(__always)
    private func updateInterest() {
        var wanted: Interest = []
        if state == .lingering || (wantsInput && !reachedEOF) { wanted.insert(.readable) }
        if waitingForWritable { wanted.insert(.writable) }
        if wanted != registered {
            registered = wanted
            reactor.poller.modify(fd, generation: generation, interest: wanted)
        }
    }
}
