#if canImport(Glibc)
import Glibc
#endif
import HTTPParser

/// Writes audit events as JSON lines to a file descriptor (stderr by default), each in one `write`
/// so lines from different threads never interleave. Carries who (user id or email), where from
/// (client address), what and why; never a password, session id or reset token: no such value is
/// ever passed in. Thread-safe: it keeps no state but its settings.
public final class AuditLog: Sendable {
    private let enabled: Bool
    private let descriptor: Int32
    private let clock: @Sendable () -> Int64

    /// An audit log writing to `descriptor` when `enabled`.
    public init(enabled: Bool = true, descriptor: Int32 = 2, clock: @escaping @Sendable () -> Int64 = WallClock.milliseconds) {
        self.enabled = enabled
        self.descriptor = descriptor
        self.clock = clock
    }

    /// Writes one event line; `email` is written only when there is no `userID` to name the user.
    public func record(_ event: AuditEvent, userID: Int64? = nil, email: String? = nil, address: String, reason: String? = nil) {
        guard enabled else { return }
        var line: [UInt8] = []
        line.reserveCapacity(160)
        var time = TimestampFormatter()
        line.append(contentsOf: #"{"time":""#.utf8)
        time.append(clock(), to: &line)
        line.append(contentsOf: #"","audit":""#.utf8)
        line.append(contentsOf: event.rawValue.utf8)
        line.append(UInt8(ascii: "\""))
        if let userID {
            line.append(contentsOf: #","user_id":"#.utf8)
            TimestampFormatter.appendDigits(Int(userID), to: &line)
        } else if let email {
            line.append(contentsOf: #","email":"#.utf8)
            JSONWriter.appendString(email, to: &line)
        }
        line.append(contentsOf: #","address":"#.utf8)
        JSONWriter.appendString(address, to: &line)
        if let reason {
            line.append(contentsOf: #","reason":"#.utf8)
            JSONWriter.appendString(reason, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
