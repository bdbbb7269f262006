#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An incremental HTTP/1.1 request parser for one connection, in the style of picohttpparser.
///
/// The caller keeps the connection's unconsumed bytes and passes them, from the start of the next
/// request, to `parse` each time more arrive. The parser remembers how far it has scanned, so
/// feeding a request byte by byte costs no rescans. Not thread-safe: one parser per connection,
/// used on that connection's thread.
public struct RequestParser: Sendable {
    /// Limits enforced on every request.
    public var limits: ParserLimits

    enum Phase: Sendable {
        case head
        case contentLength(Int)
        case chunked
    }

    var phase = Phase.head
    /// Bytes already searched for line ends; no line feed lies before it in the current line.
    var scanned = 0
    var lineStart = 0
    var sawRequestLine = false
    var head = RequestHead()
    /// Length of the head, line ends included, once it is complete.
    var headLength = 0
    var chunks = ChunkedDecoder()

    /// A parser for a new connection.
    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
    }

    /// True when the current request's head is parsed, carried `Expect: 100-continue` in HTTP/1.1
    /// (an HTTP/1.0 client's expectation is ignored, RFC 9110 §10.1.1), and its body has not fully
    /// arrived: the moment to send `100 Continue` once.
    public var expectsContinue: Bool {
        switch phase {
        case .head: false
        case .contentLength, .chunked: head.expectsContinue
        }
    }

    /// Parses the request at the start of `buffer`.
    ///
    /// Between calls the buffer must hold the same bytes as before plus any that arrived, until a
    /// `.request` (then drop `consumed` bytes) or an `.error` (then close: the parser starts over).
    public mutating func parse(_ buffer: UnsafeRawBufferPointer) -> ParseResult {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .needMore
        }
        let count = buffer.count
        if case .head = phase {
            switch parseHead(base, count) {
            case .needMore: return .needMore
            case .error(let error): return fail(error)
            case .complete:
                // Origin-form, the usual target, costs this one comparison.
                if base[head.targetStart] != ByteClass.slash, let error = reduceAbsoluteForm(base) {
                    return fail(error)
                }
                if let error = validateFraming() { return fail(error) }
            }
        }
        switch phase {
        case .head:
            return finish(base, body: [])
        case .contentLength(let length):
            guard count - headLength >= length else { return .needMore }
            let body = Array(UnsafeBufferPointer(start: base + headLength, count: length))
            return finish(base, body: body, consumed: headLength + length)
        case .chunked:
            switch chunks.decode(base, count, limits: limits) {
            case .needMore: return .needMore
            case .error(let error): return fail(error)
            case .complete(let end):
                let body = chunks.takeBody()
                return finish(base, body: body, consumed: end)
            }
        }
    }

    /// Chooses the body framing once the head is complete (RFC 9112 §6.3).
    private mutating func validateFraming() -> HTTPParseError? {
        if head.version.minor >= 1 && head.hostCount == 0 { return .missingHost }
        if head.hostCount > 1 { return .multipleHosts }
        if head.hasTransferEncoding {
            // HTTP/1.0 has no chunked coding: a recipient must treat the framing as faulty and
            // close (RFC 9112 §6.1), or the bytes after it would run as a request of their own.
            if head.version.minor == 0 { return .transferEncodingInHTTP10 }
            if head.contentLength != nil { return .contentLengthWithTransferEncoding }
            if head.hasOtherCoding { return .unsupportedTransferCoding }
            if head.chunkedCount != 1 || !head.chunkedIsLast { return .invalidTransferEncoding }
            phase = .chunked
            chunks.start(at: headLength)
        } else if let length = head.contentLength, length > 0 {
            if length > limits.maxBodyBytes { return .bodyTooLarge }
            phase = .contentLength(length)
        }
        return nil
    }

    private mutating func finish(
        _ base: UnsafePointer<UInt8>, body: [UInt8], consumed: Int? = nil
    ) -> ParseResult {
        let headerBytes = Array(
            UnsafeBufferPointer(
                start: base + head.headerBlockStart, count: headLength - head.headerBlockStart))
        let target = UnsafeBufferPointer(start: base + head.targetStart, count: head.targetCount)
        var request = Request(
            method: HTTPMethod(bytes: base + head.methodStart, count: head.methodCount),
            target: head.targetNeedsSlash ? Self.rooted(target) : String(decoding: target, as: UTF8.self),
            version: head.version,
            headers: HTTPHeaders(bytes: headerBytes, spans: Array(head.fields)),
            body: body,
            keepAlive: head.keepAlive)
        request.hasForwardingField = head.hasForwardingField
        let used = consumed ?? headLength
        reset()
        return .request(request, consumed: used)
    }

    /// `/` and then `bytes`: the origin form of an absolute-form target with an empty path (`http://host?q`).
    @inline(never)
    private static func rooted(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        "/" + String(decoding: bytes, as: UTF8.self)
    }

    private mutating func fail(_ error: HTTPParseError) -> ParseResult {
        reset()
        return .error(error)
    }

    private mutating func reset() {
        phase = .head
        scanned = 0
        lineStart = 0
        sawRequestLine = false
        headLength = 0
        head.reset()
        chunks.reset()
    }
}
