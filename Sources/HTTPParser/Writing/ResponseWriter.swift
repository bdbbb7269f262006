/// Serializes a `Response` into HTTP/1.1 bytes. Stateless; call from the connection's thread.
public enum ResponseWriter {
    /// Appends the status line, headers and body of `response` to `buffer`; with `omitBody` (the
    /// answer to HEAD) the head alone, announcing the length the body has (RFC 9110 §9.3.2, §8.6).
    ///
    /// Adds `Content-Type`, `Content-Length`, `Date` and `securityHeaders`, then each extra header
    /// in order (repeated names each on their own line), and `Connection: close` when `keepAlive`
    /// is false.
    public static func write(
        _ response: Response, keepAlive: Bool, omitBody: Bool = false, date: DateCache, into buffer: inout [UInt8]
    ) {
        // 1xx and 204 carry no content and must not announce any (RFC 9110 §8.6).
        let hasContent = response.status >= 200 && response.status != 204 && response.status != 304
        let dateBytes = date.bytes
        // The head is copied into scratch memory and appended in two pieces (around the length,
        // which DecimalWriter appends): each Array append costs a capacity and uniqueness check,
        // about 100 instructions, and a head took fourteen (callgrind).
        let statusLine = ReasonPhrase.statusLine(response.status)
        // The status line (or its parts beside the code), Content-Type, Content-Length and Date
        // with their line ends, and the longest ending (`Connection: close` and the blank line).
        var bound = (statusLine?.utf8CodeUnitCount ?? 19) + 16 + response.contentType.utf8.count + 24
        bound += dateBytes.count + securityHeaders.utf8CodeUnitCount + 21
        for header in response.headers { bound += header.name.utf8.count + header.value.utf8.count + 4 }
        buffer.reserveCapacity(buffer.count + bound + 20 + response.body.count)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { scratch in
            var head = HeadBytes(base: scratch.baseAddress!)
            if let line = statusLine {
                head.write(line)
            } else {
                head.write("HTTP/1.1 ")
                head.flush(into: &buffer)
                DecimalWriter.append(response.status, to: &buffer)
                // The reason phrase is informational only (RFC 9112 §4); clients ignore it.
                head.write(" Unknown\r\n")
            }
            if hasContent {
                if !response.contentType.isEmpty {
                    head.write("Content-Type: ")
                    head.writeFieldText(response.contentType)
                    head.write("\r\n")
                }
                head.write("Content-Length: ")
                head.flush(into: &buffer)
                DecimalWriter.append(response.body.count, to: &buffer)
                head.write("\r\nDate: ")
            } else {
                head.write("Date: ")
            }
            dateBytes.withUnsafeBufferPointer { head.write($0) }
            head.write(securityHeaders)
            for header in response.headers {
                head.writeFieldText(header.name)
                head.write(": ")
                head.writeFieldText(header.value)
                head.write("\r\n")
            }
            head.write(keepAlive ? "\r\n" : "Connection: close\r\n\r\n")
            head.flush(into: &buffer)
        }
        if hasContent && !omitBody { buffer.append(contentsOf: response.body) }
    }

    /// The end of the `Date` line and the fields every answer carries: no content sniffing (a JSON
    /// answer is never run as a script or page) and no framing by any page (clickjacking), for
    /// browsers that know only `X-Frame-Options` and for those that follow CSP. Fixed bytes, written
    /// with the date: one copy per answer.
    static let securityHeaders: StaticString =
        "\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: frame-ancestors 'none'\r\n"
}

/// Head bytes written into scratch memory that `ResponseWriter.write` sized for the whole head,
/// and appended to the output buffer piece by piece.
private struct HeadBytes {
    private let base: UnsafeMutablePointer<UInt8>
    /// Bytes written so far, and how many of them are already appended.
    private var count = 0
    private var flushed = 0

    init(base: UnsafeMutablePointer<UInt8>) {
        self.base = base
    }

    mutating func write(_ literal: StaticString) {
        (base + count).initialize(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
        count += literal.utf8CodeUnitCount
    }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress else { return }
        (base + count).initialize(from: start, count: bytes.count)
        count += bytes.count
    }

    /// Copies header text, turning control bytes into spaces so no value can inject a header.
    mutating func writeFieldText(_ text: String) {
        @inline(__always) func isControl(_ b: UInt8) -> Bool { b < 0x20 && b != 0x09 || b == 0x7F }
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            // The usual case, no control byte: one bulk copy instead of a check per byte, after the
            // parser's eight-bytes-at-a-time check (the same bytes pass: field-value ones).
            if let start = bytes.baseAddress, ByteClass.areFieldValue(start, bytes.count) {
                return write(bytes)
            }
            for b in bytes { writeByte(isControl(b) ? 0x20 : b) }
        }
        if copied == nil {
            for b in text.utf8 { writeByte(isControl(b) ? 0x20 : b) }
        }
    }

    private mutating func writeByte(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    /// Appends what was written since the last flush.
    mutating func flush(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: base + flushed, count: count - flushed))
        flushed = count
    }
}

extension ResponseWriter {
    /// Appends the interim `HTTP/1.1 100 Continue` answer owed to a request that `expectsContinue`.
    public static func writeContinue(into buffer: inout [UInt8]) {
        let line: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"
        buffer.append(contentsOf: UnsafeBufferPointer(start: line.utf8Start, count: line.utf8CodeUnitCount))
    }
}
