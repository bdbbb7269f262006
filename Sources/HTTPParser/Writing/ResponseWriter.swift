/// Serializes a `Response` into HTTP/1.1 bytes. Stateless; call from the connection's thread.
public enum ResponseWriter {
    /// Appends the status line, headers and body of `response` to `buffer`.
    ///
    /// Adds `Content-Type`, `Content-Length` and `Date`, then each extra header in order (repeated
    /// names each on their own line), and `Connection: close` when `keepAlive` is false.
    public static func write(_ response: Response, keepAlive: Bool, date: DateCache, into buffer: inout [UInt8]) {
        // 1xx and 204 carry no content and must not announce any (RFC 9110 §8.6).
        let hasContent = response.status >= 200 && response.status != 204 && response.status != 304
        buffer.reserveCapacity(buffer.count + 160 + response.body.count)
        // Literals are merged across line ends: every append costs a capacity and uniqueness check.
        if let line = ReasonPhrase.statusLine(response.status) {
            append(line, to: &buffer)
        } else {
            append("HTTP/1.1 ", to: &buffer)
            DecimalWriter.append(response.status, to: &buffer)
            // The reason phrase is informational only (RFC 9112 §4); clients ignore it.
            append(" Unknown\r\n", to: &buffer)
        }
        if hasContent {
            if !response.contentType.isEmpty {
                append("Content-Type: ", to: &buffer)
                appendFieldText(response.contentType, to: &buffer)
                append("\r\n", to: &buffer)
            }
            append("Content-Length: ", to: &buffer)
            DecimalWriter.append(response.body.count, to: &buffer)
            append("\r\nDate: ", to: &buffer)
        } else {
            append("Date: ", to: &buffer)
        }
        buffer.append(contentsOf: date.bytes)
        append("\r\n", to: &buffer)
        for header in response.headers {
            appendFieldText(header.name, to: &buffer)
            append(": ", to: &buffer)
            appendFieldText(header.value, to: &buffer)
            append("\r\n", to: &buffer)
        }
        append(keepAlive ? "\r\n" : "Connection: close\r\n\r\n", to: &buffer)
        if hasContent { buffer.append(contentsOf: response.body) }
    }

    @inline(__always)
    private static func append(_ literal: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Copies header text, turning control bytes into spaces so no value can inject a header.
    private static func appendFieldText(_ text: String, to buffer: inout [UInt8]) {
        @inline(__always) func isControl(_ b: UInt8) -> Bool { b < 0x20 && b != 0x09 || b == 0x7F }
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            // The usual case, no control byte: one bulk copy instead of a checked append per byte,
            // after the parser's eight-bytes-at-a-time check (the same bytes pass: field-value ones).
            if let start = bytes.baseAddress, ByteClass.areFieldValue(start, bytes.count) {
                return buffer.append(contentsOf: bytes)
            }
            for b in bytes { buffer.append(isControl(b) ? 0x20 : b) }
        }
        if copied == nil {
            for b in text.utf8 { buffer.append(isControl(b) ? 0x20 : b) }
        }
    }
}

extension ResponseWriter {
    /// Appends the interim `HTTP/1.1 100 Continue` answer owed to a request that `expectsContinue`.
    public static func writeContinue(into buffer: inout [UInt8]) {
        let line: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"
        buffer.append(contentsOf: UnsafeBufferPointer(start: line.utf8Start, count: line.utf8CodeUnitCount))
    }
}
