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
        append("HTTP/1.1 ", to: &buffer)
        appendDecimal(response.status, to: &buffer)
        buffer.append(0x20)
        append(ReasonPhrase.of(response.status), to: &buffer)
        append("\r\n", to: &buffer)
        if hasContent {
            if !response.contentType.isEmpty {
                append("Content-Type: ", to: &buffer)
                appendFieldText(response.contentType, to: &buffer)
                append("\r\n", to: &buffer)
            }
            append("Content-Length: ", to: &buffer)
            appendDecimal(response.body.count, to: &buffer)
            append("\r\n", to: &buffer)
        }
        append("Date: ", to: &buffer)
        buffer.append(contentsOf: date.bytes)
        append("\r\n", to: &buffer)
        for header in response.headers {
            appendFieldText(header.name, to: &buffer)
            append(": ", to: &buffer)
            appendFieldText(header.value, to: &buffer)
            append("\r\n", to: &buffer)
        }
        if !keepAlive { append("Connection: close\r\n", to: &buffer) }
        append("\r\n", to: &buffer)
        if hasContent { buffer.append(contentsOf: response.body) }
    }

    @inline(__always)
    private static func append(_ literal: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Copies header text, turning control bytes into spaces so no value can inject a header.
    private static func appendFieldText(_ text: String, to buffer: inout [UInt8]) {
        for b in text.utf8 {
            buffer.append(b < 0x20 && b != 0x09 || b == 0x7F ? 0x20 : b)
        }
    }

    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = max(value, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(0x30 + v % 10)
                v /= 10
                n += 1
            } while v > 0
            for i in stride(from: n - 1, through: 0, by: -1) { buffer.append(d[i]) }
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
