import AuthService
import Glibc
import HTTPParser

/// One JSON line per answered request on stderr: time, address, method, path, status, bytes, duration.
/// Lines gather in a reused buffer and leave with one `write` per loop cycle (or per 32 KiB), not
/// one per request: this sits on the hot path. Loop thread only (each reactor's server owns one).
final class AccessLog {
    private var buffer: [UInt8]
    private var time = TimestampFormatter()
    private let descriptor: Int32
    private static let flushThreshold = 32 * 1024

    init(descriptor: Int32 = 2) {
        self.descriptor = descriptor
        var lines: [UInt8] = []
        lines.reserveCapacity(Self.flushThreshold + 512)
        buffer = lines
    }

    /// Writes the line for `trace` answered with `status` in `bytes` bytes (head and body), `elapsed`
    /// nanoseconds after it arrived; `trace` nil for a request the parser refused.
    func record(_ trace: RequestTrace?, status: Int, bytes: Int, elapsed: UInt64, address: String) {
        // Written into locals swapped in and out: each append to the stored buffer would be an
        // access spanning a call into another module, with a runtime exclusivity check each,
        // about a dozen per line (callgrind).
        var buffer: [UInt8] = []
        var time = TimestampFormatter()
        swap(&buffer, &self.buffer)
        swap(&time, &self.time)
        defer {
            swap(&buffer, &self.buffer)
            swap(&time, &self.time)
        }
        Self.append(#"{"time":""#, to: &buffer)
        time.append(WallClock.milliseconds(), to: &buffer)
        Self.append(#"","access":"#, to: &buffer)
        JSONWriter.appendString(trace?.method.name ?? "-", to: &buffer)
        Self.append(#","path":"#, to: &buffer)
        // The path only: a query string may carry what a client should not have put there.
        if let trace {
            var target = trace.target
            target.withUTF8 { bytes in
                let path = bytes.firstIndex(of: UInt8(ascii: "?")).map { bytes[..<$0] } ?? bytes[...]
                JSONWriter.appendString(utf8: UnsafeBufferPointer(rebasing: path), to: &buffer)
            }
        } else {
            JSONWriter.appendString("-", to: &buffer)
        }
        Self.append(#","status":"#, to: &buffer)
        DecimalWriter.append(status, to: &buffer)
        Self.append(#","bytes":"#, to: &buffer)
        DecimalWriter.append(bytes, to: &buffer)
        if trace != nil {
            // Microseconds, written as milliseconds with three decimals.
            let micros = Int(elapsed / 1000)
            Self.append(#","ms":"#, to: &buffer)
            DecimalWriter.append(micros / 1000, to: &buffer)
            buffer.append(UInt8(ascii: "."))
            DecimalWriter.append(micros % 1000, width: 3, to: &buffer)
        }
        Self.append(#","address":"#, to: &buffer)
        JSONWriter.appendString(address, to: &buffer)
        Self.append("}\n", to: &buffer)
        if buffer.count >= Self.flushThreshold { Self.write(&buffer, to: descriptor) }
    }

    /// Copies a literal's bytes in one go: a String's UTF-8 view goes through the generic append.
    @inline(__always)
    private static func append(_ literal: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Writes the lines gathered so far; called at the end of each loop cycle and before exit.
    func flush() {
        guard !buffer.isEmpty else { return }
        var lines: [UInt8] = []
        swap(&lines, &buffer)
        Self.write(&lines, to: descriptor)
        swap(&lines, &buffer)
    }

    /// Writes `lines` and empties them, keeping their capacity.
    private static func write(_ lines: inout [UInt8], to descriptor: Int32) {
        lines.withUnsafeBytes { bytes in
            // Best effort: a short write or an error drops lines. stderr stays blocking (swift-log
            // shares it), so a reader that stops draining it would stall the loop here.
            _ = Glibc.write(descriptor, bytes.baseAddress, bytes.count)
        }
        lines.removeAll(keepingCapacity: true)
    }
}
