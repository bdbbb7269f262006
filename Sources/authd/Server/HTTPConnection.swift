import AuthService
import EventLoop
import HTTPParser

/// One client connection: feeds the parser, starts requests (an unsafe one only after the answers
/// before it, `PipelineOrder`), writes answers in request order, and enforces the request and idle
/// deadlines. Loop thread only.
final class HTTPConnection: ConnectionHandler {
    private let connection: Connection
    /// Strong, not `unowned`: each `unowned` use costs an atomic check, about a dozen per request.
    /// The cycle through `HTTPServer.connections` ends when the connection closes.
    private let server: HTTPServer
    private var parser: RequestParser
    /// Read once: the peer does not change, and the throttles and audit log need it on every request.
    private let clientAddress: String
    /// Accepted by the admin listener: only the server's own answers (`/metrics`, `/healthz`).
    let admin: Bool
    /// Set when the connection closes, so its password jobs not yet started are dropped unhashed.
    /// One per connection, lent to each request: a request allocates nothing for it. EOF does not
    /// set it: a client that half-closed (shutdown(SHUT_WR)) still reads its answers.
    private let abandonment = Abandonment()

    /// Sequence numbers: requests get them in arrival order; answers are written in that order.
    private var nextSequence: UInt64 = 0
    private var nextToWrite: UInt64 = 0
    /// When each request may start (RFC 9112 §9.3.2), and the ones held until then: those have
    /// sequence numbers, so they count as in flight.
    private let order = PipelineOrder()
    /// True while `startHeld` runs: a held request answered at once must not start the next one itself.
    private var startingHeld = false
    /// Answers that finished before an earlier one (pipelining); rarely non-empty.
    private var parked: [UInt64: Answer] = [:]
    /// The last request to answer before closing (a `Connection: close`, an error, a drain).
    private var lastSequence: UInt64?
    private var closed = false

    private var partialSince: Int64?
    private var continueSent = false
    private var deadline: Int64 = .max
    private var timer: TimerHandle?
    private var timerFiresAt: Int64 = .max
    private var stallTimer: TimerHandle?
    private var bytesWrittenAtStallCheck = 0

    private struct Answer {
        var response: Response
        var keepAlive: Bool
        var omitBody: Bool
        /// Nil for a request the parser refused.
        var trace: RequestTrace?
    }

    init(_ connection: Connection, server: HTTPServer, admin: Bool) {
        self.connection = connection
        self.server = server
        self.parser = RequestParser(limits: server.settings.limits)
        // At accept, while the peer is surely still connected (getpeername fails once it is gone).
        self.clientAddress = connection.peerAddress
        self.admin = admin
    }

    private var inFlight: Int { Int(nextSequence - nextToWrite) }

    /// The client's key for per-client connection caps.
    var clientKey: String { clientAddress }

    /// Keep-alive with nothing to do: no request in flight or arriving. Such a connection is the
    /// first to go when a cap needs room.
    var isIdle: Bool { !closed && inFlight == 0 && partialSince == nil }

    /// When this connection last finished an answer or was accepted (monotonic ms), to find the oldest idle one.
    private(set) var lastActive: Int64 = 0
    private var stoppedParsing: Bool { lastSequence != nil }

    func start() {
        // A fresh connection must send its first request within the request timeout.
        partialSince = Self.now()
        lastActive = partialSince!
        setDeadline(partialSince! + server.settings.requestTimeoutMilliseconds)
    }

    // MARK: ConnectionHandler

    func connection(_ c: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        guard !stoppedParsing else { return input.count }
        var consumed = 0
        var completedOne = false
        parsing: while consumed < input.count && !stoppedParsing {
            switch parser.parse(UnsafeRawBufferPointer(rebasing: input[consumed...])) {
            case .needMore:
                if parser.expectsContinue && !continueSent && inFlight == 0 {
                    continueSent = true
                    server.withScratch { bytes in
                        ResponseWriter.writeContinue(into: &bytes)
                        connection.write(bytes)
                    }
                }
                break parsing
            case .request(let request, let used):
                consumed += used
                completedOne = true
                continueSent = false
                receive(request)
            case .error(let error):
                consumed = input.count
                fail(error.status, error.message)
            }
        }
        if closed { return input.count }
        let paused = inFlight >= server.settings.maxRequestsInFlight
        if paused { connection.pauseReading() }
        // While reading is paused for our own backlog, the rest of a partial request waits on us, not
        // on the client: its clock starts again when the kept bytes are offered after the pause.
        let partial = consumed < input.count && !stoppedParsing && !paused
        let now = Self.now()
        if partial {
            if completedOne || partialSince == nil { partialSince = now }
            setDeadline(partialSince! + server.settings.requestTimeoutMilliseconds)
        } else {
            partialSince = nil
            updateIdleDeadline(now: now)
        }
        return consumed
    }

    func connectionDidReachEOF(_ c: Connection) {
        // The peer sent all it will: answer what is in flight, then close.
        if inFlight == 0 {
            connection.close()
        } else {
            lastSequence = lastSequence ?? nextSequence - 1
        }
    }

    func connectionDidClose(_ c: Connection) {
        guard !closed else { return }
        closed = true
        abandonment.abandon()
        cancelTimer()
        if let stallTimer { server.reactor.cancel(stallTimer) }
        stallTimer = nil
        parked.removeAll()
        order.removeAll()
        server.connectionClosed(self)
    }

    // MARK: requests and answers

    /// Numbers a parsed request and starts it, or holds it until the answers it must follow are written.
    private func receive(_ parsed: Request) {
        var request = parsed
        request.clientAddress = clientAddress
        let sequence = nextSequence
        nextSequence += 1
        let keepAlive = request.keepAlive && !server.draining
        if !keepAlive { lastSequence = sequence }
        let startsAfter = order.arrive(request.method, sequence: sequence)
        if startsAfter <= nextToWrite {
            start(request, sequence: sequence, keepAlive: keepAlive, arrivedAt: MonotonicClock.nanoseconds())
        } else {
            order.hold(PipelineOrder.Held(
                request: request, sequence: sequence, keepAlive: keepAlive, arrivedAt: MonotonicClock.nanoseconds(),
                startsAfter: startsAfter))
        }
    }

    /// Starts the held requests whose turn has come (after each written answer).
    private func startHeld() {
        guard !startingHeld else { return }
        startingHeld = true
        defer { startingHeld = false }
        while !closed, let next = order.next(written: nextToWrite) {
            start(next.request, sequence: next.sequence, keepAlive: next.keepAlive, arrivedAt: next.arrivedAt)
        }
    }

    /// Runs a request; its time in the metrics and the access log counts from `arrivedAt`, as the client
    /// sees it. The trace is made here, not passed in: a local moves into the completion, where a
    /// parameter would be copied (a retain per request).
    private func start(_ request: Request, sequence: UInt64, keepAlive: Bool, arrivedAt: UInt64) {
        let match = server.routes.match(request)
        let trace = RequestTrace(request, route: match.route, startedAt: arrivedAt)
        let omitBody = request.method == .head
        if let response = server.localAnswer(to: match, admin: admin) {
            return complete(sequence, Answer(response: response, keepAlive: keepAlive, omitBody: omitBody, trace: trace))
        }
        let reactor = server.reactor
        let me = LoopBound(self, reactor: reactor)
        server.routes.answer(request, match, abandonment: abandonment) { response in
            let answer = Answer(response: response, keepAlive: keepAlive, omitBody: omitBody, trace: trace)
            if reactor.isInLoopThread {
                me.value.complete(sequence, answer)
            } else {
                reactor.execute { me.value.complete(sequence, answer) }
            }
        }
    }

    /// Answers a request the parser refused (or that timed out), then closes.
    private func fail(_ status: Int, _ message: String) {
        let sequence = nextSequence
        nextSequence += 1
        lastSequence = sequence
        let response = Response.jsonMessage(status: status, message)
        complete(sequence, Answer(response: response, keepAlive: false, omitBody: false, trace: nil))
    }

    private func complete(_ sequence: UInt64, _ answer: Answer) {
        guard !closed else { return }
        guard sequence == nextToWrite else {
            parked[sequence] = answer
            return
        }
        write(answer, sequence: sequence)
        // Usually empty: skip hashing a key per answer unless pipelined answers were parked.
        while !parked.isEmpty, let next = parked.removeValue(forKey: nextToWrite) {
            write(next, sequence: nextToWrite)
        }
        if !order.isEmpty { startHeld() }
        if closed { return }
        if inFlight < server.settings.maxRequestsInFlight { connection.resumeReading() }
        if inFlight == 0 && partialSince == nil { updateIdleDeadline(now: Self.now()) }
    }

    private func write(_ answer: Answer, sequence: UInt64) {
        let closing = !answer.keepAlive || sequence == lastSequence
        var response = answer.response
        if answer.omitBody { response.body = [] }
        let written = server.withScratch { bytes in
            ResponseWriter.write(response, keepAlive: !closing, date: server.date, into: &bytes)
            connection.write(bytes)
            return bytes.count
        }
        watchForStall()
        server.answered(answer.trace, status: response.status, bytes: written, address: clientAddress)
        nextToWrite = sequence + 1
        if closing {
            lastSequence = sequence
            cancelTimer()
            connection.close()
        }
    }

    // MARK: shutdown

    /// Finishes the requests in flight, then closes; idle connections close at once.
    func drain() {
        if inFlight == 0 {
            connection.close()
        } else {
            lastSequence = lastSequence ?? nextSequence - 1
        }
    }

    func abort() {
        connection.abort()
    }

    /// Closes an idle keep-alive connection to make room for another (the client may reconnect).
    func closeIdle() {
        connection.close()
    }

    // MARK: deadlines

    /// The reactor's clock, signed so that `.max` can mean "no deadline" and differences can go negative.
    private static func now() -> Int64 {
        Int64(MonotonicClock.milliseconds())
    }

    private func updateIdleDeadline(now: Int64) {
        lastActive = now
        if inFlight == 0 {
            setDeadline(now + server.settings.idleTimeoutMilliseconds)
        } else {
            // Waiting on our own work (bcrypt, SQLite): no client deadline applies.
            setDeadline(.max)
        }
    }

    /// Moves the deadline; the one timer is re-armed only when it would fire too late, so the
    /// common case (a later deadline) costs a store, not a timer operation per request.
    private func setDeadline(_ at: Int64) {
        deadline = at
        guard at != .max, at < timerFiresAt else { return }
        cancelTimer()
        arm(at)
    }

    private func arm(_ at: Int64) {
        let delay = max(0, at - Self.now())
        timerFiresAt = at
        timer = server.reactor.schedule(after: Int(delay)) { [weak self] in self?.timerFired() }
    }

    private func cancelTimer() {
        if let timer { server.reactor.cancel(timer) }
        timer = nil
        timerFiresAt = .max
    }

    private func timerFired() {
        timer = nil
        timerFiresAt = .max
        guard !closed, deadline != .max else { return }
        let now = Self.now()
        if now < deadline { return arm(deadline) }
        if partialSince != nil && !stoppedParsing {
            // Slow or stalled client (slowloris): 408, then close.
            partialSince = nil
            fail(408, "request timeout")
        } else if inFlight == 0 {
            connection.close()
        }
    }

    /// Checks once per write timeout, not per answer, that queued output keeps leaving.
    private func watchForStall() {
        guard stallTimer == nil else { return }
        bytesWrittenAtStallCheck = connection.bytesWritten
        let delay = Int(server.settings.writeTimeoutMilliseconds)
        stallTimer = server.reactor.schedule(after: delay) { [weak self] in self?.stallCheckFired() }
    }

    private func stallCheckFired() {
        stallTimer = nil
        guard !closed, connection.pendingOutputBytes > 0 else { return }
        // A client that stopped reading would otherwise hold the connection and its output forever.
        if connection.bytesWritten == bytesWrittenAtStallCheck { return connection.abort() }
        watchForStall()
    }
}
