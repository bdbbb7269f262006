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
        buffer.append(contentsOf: #"{"time":""#.utf8)
        time.append(WallClock.milliseconds(), to: &buffer)
        buffer.append(contentsOf: #"","access":"#.utf8)
        JSONWriter.appendString(trace?.method.name ?? "-", to: &buffer)
        buffer.append(contentsOf: #","path":"#.utf8)
        // The path only: a query string may carry what a client should not have put there.
        if let trace {
            JSONWriter.appendString(utf8: trace.target.utf8.prefix { $0 != UInt8(ascii: "?") }, to: &buffer)
        } else {
            JSONWriter.appendString("-", to: &buffer)
        }
        buffer.append(contentsOf: #","status":"#.utf8)
        DecimalWriter.append(status, to: &buffer)
        buffer.append(contentsOf: #","bytes":"#.utf8)
        DecimalWriter.append(bytes, to: &buffer)
        if trace != nil {
            // Microseconds, written as milliseconds with three decimals.
            let micros = Int(elapsed / 1000)
            buffer.append(contentsOf: #","ms":"#.utf8)
            DecimalWriter.append(micros / 1000, to: &buffer)
            buffer.append(UInt8(ascii: "."))
            DecimalWriter.append(micros % 1000, width: 3, to: &buffer)
        }
        buffer.append(contentsOf: #","address":"#.utf8)
        JSONWriter.appendString(address, to: &buffer)
        buffer.append(contentsOf: "}\n".utf8)
        if buffer.count >= Self.flushThreshold { Self.write(&buffer, to: descriptor) }
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
