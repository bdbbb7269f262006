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
    /// The parser of a request that has arrived in part; nil between requests, when the server's
    /// `sharedParser` serves (see `ParserBox`).
    private var partialParser: ParserBox?
    /// The connection's client, found once at accept (or from its PROXY header) and kept as the
    /// request fields of these names take it: the peer does not change, and every request needs it.
    private var clientAddress = ""
    /// "" when it is the address (IPv4), so that most requests skip storing it.
    private var clientThrottleKey = ""
    /// The clients a trusted proxy named, by sequence, for the access line; rarely non-empty.
    private var forwardedAddresses: [UInt64: String] = [:]
    /// `forwardedAddresses.count`, kept apart so each answer reads a plain counter: a dictionary
    /// access costs a runtime exclusivity check per answer (callgrind).
    private var forwardedAddressCount = 0
    /// Set when the connection closes, so its password jobs not yet started are dropped unhashed.
    /// One per connection, lent to each request: a request allocates nothing for it. EOF does not
    /// set it: a client that half-closed (shutdown(SHUT_WR)) still reads its answers.
    private let client = ClientConnection()

    /// Sequence numbers: requests get them in arrival order; answers are written in that order.
    private var nextSequence: UInt64 = 0
    /// Wire bytes of the requests parsed and not yet answered (held, running or parked), each kept
    /// with its body until then: reading pauses at `ServerSettings.inputPauseBytes`.
    private var heldBytes = 0
    private var nextToWrite: UInt64 = 0
    /// When each request may start (RFC 9112 §9.3.2), and the ones held until then: those have
    /// sequence numbers, so they count as in flight.
    private let order = PipelineOrder()
    /// Answers that finished before an earlier one (pipelining); rarely non-empty.
    private var parked: [UInt64: Answer] = [:]
    /// `parked.count`, kept apart so each answer reads a plain counter: the dictionary's accesses
    /// keep their runtime exclusivity checks (an insertion may release an answer).
    private var parkedCount = 0
    /// The last request to answer before closing (a `Connection: close`, an error, a drain);
    /// `.max` while none is set (a sequence never reaches it). Not an Optional: its flag byte would
    /// cost the connection 16 bytes of padding (see the small fields at the end).
    private var lastSequence: UInt64 = .max
    private var deadline: Int64 = .max
    private var timerFiresAt: Int64 = .max
    private var bytesWrittenAtStallCheck = 0

    private struct Answer {
        var response: Response
        var keepAlive: Bool
        var omitBody: Bool
        /// The request's wire bytes, counted in `heldBytes` until this answer is written.
        var requestBytes: Int
        /// Nil for a request the parser refused.
        var trace: RequestTrace?
    }

    init(_ connection: Connection, server: HTTPServer, admin: Bool) {
        self.connection = connection
        self.server = server
        self.admin = admin
        // At accept, while the peer is surely still connected (getpeername fails once it is gone).
        let peerText = connection.peerAddress
        if let peer = IPAddress(peerText) { adopt(peer) } else { clientAddress = peerText }
        capKey = peerIsTrustedProxy || clientIsExempt ? nil : clientKey
        if server.settings.clients.proxyProtocol && !admin {
            proxyStage = peerIsTrustedProxy ? .header(ProxyHeaderParser()) : .screening
        }
    }

    private var inFlight: Int { Int(nextSequence - nextToWrite) }

    /// Whether reading must pause for the requests in flight: their number, or the bytes they hold
    /// (63 pipelined 60 kB bodies behind a slow login held 3.75 MiB a connection).
    private var mustPause: Bool {
        inFlight >= server.settings.maxRequestsInFlight || heldBytes >= server.settings.inputPauseBytes
    }

    /// The client's key for per-client connection caps, as found so far (its /64 for IPv6).
    var clientKey: String { clientThrottleKey.isEmpty ? clientAddress : clientThrottleKey }
    /// The key the per-client cap counts this connection under; nil when it meets only the total
    /// cap: its client is exempt, or its peer is a trusted proxy. A proxy's connection carries
    /// whichever clients' requests the proxy sends on it (nginx and load balancers pool them), and
    /// a head that never ends names no client at all, so counting it under the proxy would make
    /// every client behind it one; limiting connections per client is then the proxy's part. With
    /// `--proxy-protocol` the PROXY header names the connection's one client: it is counted under
    /// that one from then on (`HTTPServer.admitNamedClient`).
    private(set) var capKey: String?
    /// The key this connection is counted under by the per-client cap; set by the server as it counts.
    var countedAs: String?

    /// Keep-alive with nothing to do: no request in flight or arriving, and not closing already. Such
    /// a connection is the first to go when a cap needs room. One closing lingers for up to two
    /// seconds and stays counted: were it idle still, each newcomer could "close" it again and pass.
    var isIdle: Bool { !closed && !stoppedParsing && !closingForRoom && inFlight == 0 && partialSince == nil }

    /// When this connection was last accepted or answered, as a server-wide sequence number (ties
    /// in milliseconds would make "the oldest idle one" arbitrary).
    private(set) var lastActive: UInt64 = 0
    private var stoppedParsing: Bool { lastSequence != .max }

    // The small fields come last, each Optional (9 bytes) followed by Bools that fill its padding:
    // Swift lays a class out in declaration order, and an idle connection is mostly this object
    // (issue 22: 10 000 idle connections; 336 bytes of malloc chunk scattered, 288 packed).
    /// With `--proxy-protocol`, what the connection must begin with; nil once that is settled.
    private var proxyStage: ProxyStage?
    private var clientIsExempt = false
    /// The peer (or later the PROXY header's source) is a trusted proxy: without `--proxy-protocol`
    /// each request's `X-Forwarded-For` or `Forwarded` names the client.
    private var peerIsTrustedProxy = false
    /// Accepted by the admin listener: only the server's own answers (`/metrics`, `/healthz`).
    let admin: Bool
    /// True while `startHeld` runs: a held request answered at once must not start the next one itself.
    private var startingHeld = false
    private var closed = false
    private var partialSince: Int64?
    private var continueSent = false
    private var closingForRoom = false
    private var timer: TimerHandle?
    private var stallTimer: TimerHandle?

    func start() {
        // A fresh connection must send its first request within the request timeout.
        partialSince = Self.now()
        lastActive = server.nextActivity()
        setDeadline(partialSince! + server.settings.requestTimeoutMilliseconds)
    }

    // MARK: ConnectionHandler

    func connection(_ c: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        guard !stoppedParsing else { return input.count }
        if proxyStage != nil { return readProxyStage(input) }
        var consumed = 0
        var completedOne = false
        let box = partialParser ?? server.sharedParser
        var waiting = false
        var failed = false
        parsing: while consumed < input.count && !stoppedParsing {
            switch box.parser.parse(UnsafeRawBufferPointer(rebasing: input[consumed...])) {
            case .needMore:
                waiting = true
                if box.parser.expectsContinue && !continueSent && inFlight == 0 {
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
                heldBytes += used
                receive(request, bytes: used)
                // The rest stays with the connection, unparsed, until answers make room.
                if mustPause { break parsing }
            case .error(let error):
                consumed = input.count
                failed = true
                fail(error.status, error.message)
            }
        }
        settleParser(box, waiting: waiting, failed: failed)
        if closed { return input.count }
        let paused = mustPause
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
            if lastSequence == .max { lastSequence = nextSequence - 1 }
        }
    }

    func connectionDidClose(_ c: Connection) {
        guard !closed else { return }
        closed = true
        client.abandon()
        cancelTimer()
        if let stallTimer { server.reactor.cancel(stallTimer) }
        stallTimer = nil
        parked.removeAll()
        parkedCount = 0
        forwardedAddresses.removeAll()
        forwardedAddressCount = 0
        order.removeAll()
        server.connectionClosed(self)
    }

    /// After a read: a request still arriving in the server's parser moves into a box of this
    /// connection's, and the server's starts afresh; one finished in this connection's box frees it.
    /// A parser that refused its input is spent (the connection closes), so the server's is renewed.
    private func settleParser(_ box: ParserBox, waiting: Bool, failed: Bool) {
        let shared = box === server.sharedParser
        if waiting && shared {
            partialParser = ParserBox(box.parser)
            box.parser = RequestParser(limits: server.settings.limits)
        } else if !waiting && !shared {
            partialParser = nil
        } else if failed && shared {
            box.parser = RequestParser(limits: server.settings.limits)
        }
    }

    // MARK: requests and answers

    /// Numbers a parsed request and starts it, or holds it until the answers it must follow are written.
    private func receive(_ parsed: consuming Request, bytes: Int) {
        var request = parsed
        request.clientAddress = clientAddress
        request.clientIsExemptFromLimits = clientIsExempt
        request.isFromTrustedProxy = peerIsTrustedProxy
        if !clientThrottleKey.isEmpty { request.clientThrottleKey = clientThrottleKey }
        let sequence = nextSequence
        nextSequence += 1
        if request.hasForwardingField { applyForwarding(to: &request, sequence: sequence) }
        let keepAlive = request.keepAlive && !server.draining
        if !keepAlive { lastSequence = sequence }
        let startsAfter = order.arrive(request.method, sequence: sequence)
        if startsAfter <= nextToWrite {
            start(
                request, sequence: sequence, keepAlive: keepAlive, arrivedAt: MonotonicClock.nanoseconds(), bytes: bytes
            )
        } else {
            order.hold(
                PipelineOrder.Held(
                    request: request, sequence: sequence, keepAlive: keepAlive, arrivedAt: MonotonicClock.nanoseconds(),
                    startsAfter: startsAfter, bytes: bytes))
        }
    }

    /// Starts the held requests whose turn has come (after each written answer).
    private func startHeld() {
        guard !startingHeld else { return }
        startingHeld = true
        defer { startingHeld = false }
        while !closed, let next = order.next(written: nextToWrite) {
            start(
                next.request, sequence: next.sequence, keepAlive: next.keepAlive, arrivedAt: next.arrivedAt,
                bytes: next.bytes)
        }
    }

    /// Runs a request; its time in the metrics and the access log counts from `arrivedAt`, as the client
    /// sees it. The trace is made here, not passed in: a local moves into the completion, where a
    /// parameter would be copied (a retain per request).
    private func start(_ request: Request, sequence: UInt64, keepAlive: Bool, arrivedAt: UInt64, bytes: Int) {
        let match = server.routes.match(request)
        let trace = RequestTrace(request, route: match.route, startedAt: arrivedAt)
        let omitBody = request.method == .head
        if let response = server.localAnswer(to: match, admin: admin) ?? server.routes.fixedAnswer(to: match) {
            return complete(
                sequence,
                Answer(response: response, keepAlive: keepAlive, omitBody: omitBody, requestBytes: bytes, trace: trace))
        }
        let reactor = server.reactor
        let me = LoopBound(self, reactor: reactor)
        server.routes.answer(request, match, connection: client) { response in
            let answer = Answer(
                response: response, keepAlive: keepAlive, omitBody: omitBody, requestBytes: bytes, trace: trace)
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
        complete(sequence, Answer(response: response, keepAlive: false, omitBody: false, requestBytes: 0, trace: nil))
    }

    private func complete(_ sequence: UInt64, _ answer: Answer) {
        guard !closed else { return }
        guard sequence == nextToWrite else {
            parked[sequence] = answer
            parkedCount += 1
            return
        }
        write(answer, sequence: sequence)
        // Usually empty: skip hashing a key per answer unless pipelined answers were parked.
        while parkedCount > 0, let next = parked.removeValue(forKey: nextToWrite) {
            parkedCount -= 1
            write(next, sequence: nextToWrite)
        }
        if !order.isEmpty { startHeld() }
        if closed { return }
        if !mustPause { connection.resumeReading() }
        if inFlight == 0 && partialSince == nil { updateIdleDeadline(now: Self.now()) }
    }

    private func write(_ answer: Answer, sequence: UInt64) {
        let closing = !answer.keepAlive || sequence == lastSequence
        let response = answer.response
        let written = server.withScratch { bytes in
            ResponseWriter.write(
                response, keepAlive: !closing, omitBody: answer.omitBody, date: server.date, into: &bytes)
            connection.write(bytes)
            return bytes.count
        }
        watchForStall()
        var address = clientAddress
        if forwardedAddressCount > 0, let named = forwardedAddresses.removeValue(forKey: sequence) {
            forwardedAddressCount -= 1
            address = named
        }
        server.answered(answer.trace, status: response.status, bytes: written, address: address)
        nextToWrite = sequence + 1
        heldBytes -= answer.requestBytes
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
            if lastSequence == .max { lastSequence = nextSequence - 1 }
        }
    }

    func abort() {
        connection.abort()
    }

    /// Closes an idle keep-alive connection to make room for another (the client may reconnect).
    func closeIdle() {
        closingForRoom = true
        connection.close()
    }

    // MARK: deadlines

    /// The reactor's clock, signed so that `.max` can mean "no deadline" and differences can go negative.
    private static func now() -> Int64 {
        Int64(MonotonicClock.milliseconds())
    }

    private func updateIdleDeadline(now: Int64) {
        lastActive = server.nextActivity()
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
        // Strong, like the stall check's: a weak reference would give every connection a side table
        // (an allocation, and slow-path retains and releases on each request). Both timers are
        // cancelled when the connection closes, so they keep it no longer than that.
        timer = server.reactor.schedule(after: Int(delay)) { self.timerFired() }
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
        if case .header = proxyStage {
            // A trusted proxy that sent no PROXY header in time: there is no one to answer in HTTP.
            server.warnOnce(.badProxyHeader, peer: clientAddress)
            connection.close()
        } else if partialSince != nil && !stoppedParsing {
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
        stallTimer = server.reactor.schedule(after: delay) { self.stallCheckFired() }
    }

    private func stallCheckFired() {
        stallTimer = nil
        guard !closed, connection.pendingOutputBytes > 0 else { return }
        // A client that stopped reading would otherwise hold the connection and its output forever.
        if connection.bytesWritten == bytesWrittenAtStallCheck { return connection.abort() }
        watchForStall()
    }

    // MARK: client identity (trusted proxies, PROXY protocol)

    private enum ProxyStage {
        /// A trusted proxy's connection: a PROXY header comes first and names the client.
        case header(ProxyHeaderParser)
        /// Any other peer's: plain HTTP, and one that begins with a PROXY header is closed.
        case screening
    }

    /// Reads what must begin the connection, then leaves the rest to HTTP (offered again at once
    /// once this consumed something, passed on now when it did not); or closes, with no answer:
    /// the peer speaks the PROXY protocol, not HTTP.
    private func readProxyStage(_ input: UnsafeRawBufferPointer) -> Int {
        switch proxyStage {
        case .header(var parser):
            switch parser.parse(input) {
            case .needMore:
                proxyStage = .header(parser)
                return 0
            case .header(let header, let consumed):
                proxyStage = nil
                if case .client(let source) = header {
                    adopt(source)
                    capKey = clientIsExempt ? nil : clientKey
                    guard server.admitNamedClient(of: self, on: connection) else {
                        // Refused with 503 and closing: no request of it is read, and no 408 follows.
                        partialSince = nil
                        cancelTimer()
                        return input.count
                    }
                }
                return consumed
            case .error(let error):
                server.warnOnce(.badProxyHeader, peer: clientAddress, error: error)
                connection.close()
                return input.count
            }
        case .screening:
            switch ProxyHeaderParser.signature(input) {
            case .partial:
                return 0
            case .none:
                proxyStage = nil
                return connection(connection, didRead: input)
            case .v1, .v2:
                server.warnOnce(.untrustedProxyHeader, peer: clientAddress)
                connection.close()
                return input.count
            }
        case nil:
            return 0
        }
    }

    /// Makes the client at `address` the connection's.
    private func adopt(_ address: IPAddress) {
        let clients = server.settings.clients
        let client = clients.identity(of: address)
        clientAddress = client.address
        clientThrottleKey = client.throttleKey == client.address ? "" : client.throttleKey
        clientIsExempt = client.isExemptFromClientLimits
        peerIsTrustedProxy = clients.isTrustedProxy(address)
    }

    /// Takes the client a trusted proxy names in `X-Forwarded-For` or `Forwarded` (the peer when
    /// they name none readable); from any other peer they are ignored, and warned about once.
    /// With `--proxy-protocol` they are never read: behind an L4 proxy nothing in the HTTP stream
    /// comes from the proxy, so after a `PROXY UNKNOWN` or v2 `LOCAL` header (which name no client)
    /// they would be the client's own word.
    private func applyForwarding(to request: inout Request, sequence: UInt64) {
        if server.settings.clients.proxyProtocol { return }
        guard peerIsTrustedProxy else { return server.warnOnce(.untrustedForwarding, peer: clientAddress) }
        let clients = server.settings.clients
        guard let address = ForwardedClient.find(in: request.headers, isTrusted: clients.isTrustedProxy) else { return }
        let named = clients.identity(of: address)
        request.clientAddress = named.address
        request.clientThrottleKey = named.throttleKey
        request.clientIsExemptFromLimits = named.isExemptFromClientLimits
        forwardedAddresses[sequence] = named.address
        forwardedAddressCount += 1
    }
}
