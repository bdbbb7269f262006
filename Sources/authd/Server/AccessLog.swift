import AuthService
import Glibc
import HTTPParser

/// One JSON line per answered request on stderr: time, address, method, path, status, bytes, duration.
/// Formatted into a reused buffer and written with one `write`: this sits on the hot path.
/// Loop thread only (each reactor's server owns one).
final class AccessLog {
    private var buffer: [UInt8] = []
    private var time = TimestampFormatter()
    private let descriptor: Int32

    init(descriptor: Int32 = 2) {
        self.descriptor = descriptor
        buffer.reserveCapacity(256)
    }

    /// Writes the line for `trace` answered with `status` in `bytes` bytes (head and body), `elapsed`
    /// nanoseconds after it arrived; `trace` nil for a request the parser refused.
    func record(_ trace: RequestTrace?, status: Int, bytes: Int, elapsed: UInt64, address: String) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: #"{"time":""#.utf8)
        time.append(WallClock.milliseconds(), to: &buffer)
        buffer.append(contentsOf: #"","access":"#.utf8)
        JSONWriter.appendString(trace?.method.name ?? "-", to: &buffer)
        buffer.append(contentsOf: #","path":"#.utf8)
        // The path only: a query string may carry what a client should not have put there.
        JSONWriter.appendString(trace.map { String($0.target.utf8.prefix { $0 != UInt8(ascii: "?") })! } ?? "-", to: &buffer)
        buffer.append(contentsOf: #","status":"#.utf8)
        TimestampFormatter.appendDigits(status, to: &buffer)
        buffer.append(contentsOf: #","bytes":"#.utf8)
        TimestampFormatter.appendDigits(bytes, to: &buffer)
        if trace != nil {
            // Microseconds, written as milliseconds with three decimals.
            let micros = Int(elapsed / 1000)
            buffer.append(contentsOf: #","ms":"#.utf8)
            TimestampFormatter.appendDigits(micros / 1000, to: &buffer)
            buffer.append(UInt8(ascii: "."))
            TimestampFormatter.appendDigits(micros % 1000, width: 3, to: &buffer)
        }
        buffer.append(contentsOf: #","address":"#.utf8)
        JSONWriter.appendString(address, to: &buffer)
        buffer.append(contentsOf: "}\n".utf8)
        buffer.withUnsafeBytes { bytes in
            // Best effort: a short write or an error drops the line. stderr stays blocking (swift-log
            // shares it), so a reader that stops draining it would stall the loop here.
            _ = write(descriptor, bytes.baseAddress, bytes.count)
        }
    }
}
