/// Outcome of decoding a chunked body so far.
enum ChunkedProgress {
    case needMore
    /// The body and its trailers end just before `end` (an offset from the request start).
    case complete(end: Int)
    case error(HTTPParseError)
}

/// Removes `Transfer-Encoding: chunked` framing (RFC 9112 §7.1), one byte of framing at a time.
///
/// Framing is strict (CRLF only) because lenient chunk parsing is a classic request-smuggling
/// vector. Extensions and trailers are skipped, and the bytes spent on them are bounded by the
/// head limit so a client cannot make the connection buffer grow without a body to show for it.
struct ChunkedDecoder {
    enum State {
        case size, sizeWhitespace, extensions, sizeLineFeed
        case data, dataCarriageReturn, dataLineFeed
        case trailerLineStart, trailerLine, trailerLineFeed, finalLineFeed
    }

    var state = State.size
    /// Offset of the next unread byte, from the request start.
    var position = 0
    var chunkSize = 0
    var sizeDigits = 0
    var remaining = 0
    var overhead = 0
    var body: [UInt8] = []

    mutating func start(at offset: Int) {
        position = offset
    }

    mutating func reset() {
        self = ChunkedDecoder()
    }

    /// Hands over the decoded body, leaving the decoder empty.
    mutating func takeBody() -> [UInt8] {
        defer { body = [] }
        return body
    }

    mutating func decode(_ base: UnsafePointer<UInt8>, _ count: Int, limits: ParserLimits) -> ChunkedProgress {
        while position < count {
            if case .data = state {
                let n = min(remaining, count - position)
                body.append(contentsOf: UnsafeBufferPointer(start: base + position, count: n))
                position += n
                remaining -= n
                if remaining == 0 { state = .dataCarriageReturn }
                continue
            }
            let b = base[position]
            position += 1
            overhead += 1
            if overhead > limits.maxHeadBytes { return .error(.chunkedOverheadTooLarge) }
            switch step(b, limits: limits) {
            case .some(.error(let error)): return .error(error)
            case .some(let done): return done
            case .none: continue
            }
        }
        return .needMore
    }

    /// Advances the framing state by one byte; nil means keep going.
    private mutating func step(_ b: UInt8, limits: ParserLimits) -> ChunkedProgress? {
        switch state {
        case .size:
            if let digit = ByteClass.hexValue(b) {
                chunkSize = chunkSize * 16 + digit
                sizeDigits += 1
                // Checked per digit, so the product above stays far from overflow.
                if body.count + chunkSize > limits.maxBodyBytes { return .error(.bodyTooLarge) }
            } else if sizeDigits == 0 {
                return .error(.invalidChunkSize)
            } else if b == ByteClass.cr {
                state = .sizeLineFeed
            } else if b == 0x3B {
                state = .extensions
            } else if ByteClass.isWhitespace(b) {
                state = .sizeWhitespace
            } else {
                return .error(.invalidChunkSize)
            }
        case .sizeWhitespace:
            if b == 0x3B {
                state = .extensions
            } else if !ByteClass.isWhitespace(b) {
                return .error(.invalidChunkSize)
            }
        case .extensions:
            if b == ByteClass.cr {
                state = .sizeLineFeed
            } else if !ByteClass.isFieldValue(b) {
                return .error(.invalidChunkFraming)
            }
        case .sizeLineFeed:
            guard b == ByteClass.lf else { return .error(.invalidChunkFraming) }
            if chunkSize == 0 {
                state = .trailerLineStart
            } else {
                remaining = chunkSize
                state = .data
            }
        case .data:
            break
        case .dataCarriageReturn:
            guard b == ByteClass.cr else { return .error(.invalidChunkFraming) }
            state = .dataLineFeed
        case .dataLineFeed:
            guard b == ByteClass.lf else { return .error(.invalidChunkFraming) }
            chunkSize = 0
            sizeDigits = 0
            state = .size
        case .trailerLineStart:
            if b == ByteClass.cr {
                state = .finalLineFeed
            } else if ByteClass.isFieldValue(b) {
                state = .trailerLine
            } else {
                return .error(.invalidChunkFraming)
            }
        case .trailerLine:
            if b == ByteClass.cr {
                state = .trailerLineFeed
            } else if !ByteClass.isFieldValue(b) {
                return .error(.invalidChunkFraming)
            }
        case .trailerLineFeed:
            guard b == ByteClass.lf else { return .error(.invalidChunkFraming) }
            state = .trailerLineStart
        case .finalLineFeed:
            guard b == ByteClass.lf else { return .error(.invalidChunkFraming) }
            return .complete(end: position)
        }
        return nil
    }
}
