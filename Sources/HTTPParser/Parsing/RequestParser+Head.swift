#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Outcome of scanning the head so far.
enum HeadProgress {
    case needMore
    case complete
    case error(HTTPParseError)
}

extension RequestParser {
    /// Parses each complete line of the head once, resuming where the last call stopped.
    ///
    /// Lines end in CRLF or a bare LF (RFC 9112 §2.2 lets a recipient accept LF); a CR anywhere
    /// else is rejected by the byte checks of the line it sits in.
    mutating func parseHead(_ base: UnsafePointer<UInt8>, _ count: Int) -> HeadProgress {
        let limit = min(count, limits.maxHeadBytes)
        while scanned < limit {
            guard let found = memchr(base + scanned, Int32(ByteClass.lf), limit - scanned) else {
                scanned = limit
                break
            }
            let lineFeed = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            let start = lineStart
            var end = lineFeed
            if end > start && base[end - 1] == ByteClass.cr { end -= 1 }
            scanned = lineFeed + 1
            lineStart = scanned
            if !sawRequestLine {
                // Empty lines before the request line are skipped (RFC 9112 §2.2).
                if end == start { continue }
                if let error = parseRequestLine(base, start, end) { return .error(error) }
                sawRequestLine = true
                head.headerBlockStart = scanned
            } else if end == start {
                headLength = scanned
                return .complete
            } else if let error = parseFieldLine(base, start, end) {
                return .error(error)
            }
        }
        return count >= limits.maxHeadBytes ? .error(.headTooLarge) : .needMore
    }

    /// `method SP request-target SP HTTP-version` (RFC 9112 §3).
    private mutating func parseRequestLine(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int
    ) -> HTTPParseError? {
        var i = start
        while i < end && base[i] != ByteClass.space {
            if !ByteClass.isToken(base[i]) { return .invalidMethod }
            i += 1
        }
        guard i > start, i < end else { return .badRequestLine }
        head.methodStart = start
        head.methodCount = i - start
        i += 1
        let targetStart = i
        while i < end && base[i] != ByteClass.space {
            if !ByteClass.isTarget(base[i]) { return .badRequestLine }
            i += 1
        }
        guard i > targetStart, i < end else { return .badRequestLine }
        if i - targetStart > limits.maxTargetBytes { return .targetTooLong }
        head.targetStart = targetStart
        head.targetCount = i - targetStart
        i += 1
        return parseVersion(base + i, end - i)
    }

    /// An `http` or `https` absolute-form target (RFC 9112 §3.2.2, which a server MUST accept) is
    /// reduced to its path and query, so the router and `Request.path` see what origin-form would
    /// give; the Host field is then ignored as the RFC says, though HTTP/1.1 still requires one
    /// (§3.2). Userinfo or an empty host is refused (RFC 9110 §4.2.1, §4.2.4). Any other target
    /// that does not start with `/` passes unchanged and names no route. Called once the head is
    /// complete: a check inside the request-line scan cost every request 9 instructions (callgrind).
    mutating func reduceAbsoluteForm(_ base: UnsafePointer<UInt8>) -> HTTPParseError? {
        let start = head.targetStart
        let end = start + head.targetCount
        let authorityStart: Int
        if end - start > 7 && ByteClass.equalsLowercased(base + start, 7, "http://") {
            authorityStart = start + 7
        } else if end - start > 8 && ByteClass.equalsLowercased(base + start, 8, "https://") {
            authorityStart = start + 8
        } else {
            return nil
        }
        var i = authorityStart
        while i < end && base[i] != ByteClass.slash && base[i] != ByteClass.question {
            if base[i] == ByteClass.at { return .invalidTargetAuthority }
            i += 1
        }
        guard i > authorityStart else { return .invalidTargetAuthority }
        // `http://host` and `http://host?q` have an empty path, which is `/` (RFC 9110 §4.2.3).
        head.targetNeedsSlash = i == end || base[i] == ByteClass.question
        head.targetStart = i
        head.targetCount = end - i
        return nil
    }

    /// `HTTP/DIGIT.DIGIT`; 1.x is spoken (a higher minor is answered as 1.1, RFC 9110 §2.5).
    private mutating func parseVersion(_ p: UnsafePointer<UInt8>, _ count: Int) -> HTTPParseError? {
        guard count == 8, p[0] == 0x48, p[1] == 0x54, p[2] == 0x54, p[3] == 0x50, p[4] == 0x2F,
            p[6] == 0x2E, (0x30...0x39).contains(p[5]), (0x30...0x39).contains(p[7])
        else { return .badRequestLine }
        let major = p[5] &- 0x30
        let minor = p[7] &- 0x30
        guard major == 1 else { return .unsupportedVersion }
        head.version = HTTPVersion(major: 1, minor: min(minor, 1))
        return nil
    }

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5), recording the fields that frame the body.
    private mutating func parseFieldLine(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int
    ) -> HTTPParseError? {
        if ByteClass.isWhitespace(base[start]) { return .obsoleteLineFolding }
        var i = start
        while i < end && base[i] != ByteClass.colon {
            let b = base[i]
            if !ByteClass.isToken(b) {
                return ByteClass.isWhitespace(b) ? .whitespaceBeforeColon : .invalidHeaderName
            }
            i += 1
        }
        guard i < end, i > start else { return .invalidHeaderName }
        let nameEnd = i
        i += 1
        while i < end && ByteClass.isWhitespace(base[i]) { i += 1 }
        var valueEnd = end
        while valueEnd > i && ByteClass.isWhitespace(base[valueEnd - 1]) { valueEnd -= 1 }
        if !ByteClass.areFieldValue(base + i, valueEnd - i) { return .invalidHeaderValue }
        if head.fields.count == limits.maxHeaderCount { return .tooManyHeaders }
        let offset = head.headerBlockStart
        head.fields.append(
            HTTPHeaders.FieldSpan(
                nameStart: Int32(start - offset), nameCount: Int32(nameEnd - start),
                valueStart: Int32(i - offset), valueCount: Int32(valueEnd - i)))
        return recordFramingField(name: base + start, nameEnd - start, value: base + i, valueEnd - i)
    }

    /// Notes the fields that decide framing and persistence, and whether one names a forwarded
    /// client; other fields pass untouched.
    private mutating func recordFramingField(
        name: UnsafePointer<UInt8>, _ nameCount: Int, value: UnsafePointer<UInt8>, _ valueCount: Int
    ) -> HTTPParseError? {
        switch nameCount {
        case 4 where ByteClass.equalsLowercased(name, nameCount, "host"):
            head.hostCount += 1
            if !HostSyntax.isValid(value, valueCount) { return .invalidHost }
        case 6 where ByteClass.equalsLowercased(name, nameCount, "expect"):
            if head.version.minor >= 1 && ByteClass.equalsLowercased(value, valueCount, "100-continue") {
                head.expectsContinue = true
            }
        case 9 where ByteClass.equalsLowercased(name, nameCount, "forwarded"),
            15
        where name[0] | 0x20 == UInt8(ascii: "x") && ByteClass.equalsLowercased(name, nameCount, "x-forwarded-for"):
            head.hasForwardingField = true
        case 10 where ByteClass.equalsLowercased(name, nameCount, "connection"):
            forEachListElement(value, valueCount) { p, n in
                if ByteClass.equalsLowercased(p, n, "close") { head.connectionClose = true }
                if ByteClass.equalsLowercased(p, n, "keep-alive") { head.connectionKeepAlive = true }
            }
        case 14 where ByteClass.equalsLowercased(name, nameCount, "content-length"):
            return recordContentLength(value, valueCount)
        case 17 where ByteClass.equalsLowercased(name, nameCount, "transfer-encoding"):
            head.hasTransferEncoding = true
            forEachListElement(value, valueCount) { p, n in
                if ByteClass.equalsLowercased(p, n, "chunked") {
                    head.chunkedCount += 1
                    head.chunkedIsLast = true
                } else {
                    head.hasOtherCoding = true
                    head.chunkedIsLast = false
                }
            }
        default:
            break
        }
        return nil
    }

    /// Accepts `n` or a list of identical `n` (RFC 9110 §8.6); anything else is an error.
    private mutating func recordContentLength(_ p: UnsafePointer<UInt8>, _ count: Int) -> HTTPParseError? {
        var error: HTTPParseError?
        var elements = 0
        forEachListElement(p, count) { element, n in
            guard error == nil else { return }
            elements += 1
            // 18 digits cannot overflow Int; the body limit rejects anything that large anyway.
            guard n > 0, n <= 18 else {
                error = .invalidContentLength
                return
            }
            var length = 0
            for i in 0..<n {
                let digit = element[i] &- 0x30
                guard digit < 10 else {
                    error = .invalidContentLength
                    return
                }
                length = length * 10 + Int(digit)
            }
            if let earlier = head.contentLength, earlier != length {
                error = .conflictingContentLengths
            }
            head.contentLength = length
        }
        if elements == 0 { return .invalidContentLength }
        return error
    }

    /// Calls `body` with each non-empty element of a comma-separated list, trimmed of whitespace.
    private func forEachListElement(
        _ p: UnsafePointer<UInt8>, _ count: Int,
        _ body: (UnsafePointer<UInt8>, Int) -> Void
    ) {
        var start = 0
        while start <= count {
            var end = start
            while end < count && p[end] != 0x2C { end += 1 }
            var a = start
            var b = end
            while a < b && ByteClass.isWhitespace(p[a]) { a += 1 }
            while b > a && ByteClass.isWhitespace(p[b - 1]) { b -= 1 }
            if b > a { body(p + a, b - a) }
            start = end + 1
        }
    }
}
