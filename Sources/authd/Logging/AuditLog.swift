import AuthService
import Glibc
import HTTPParser
import Synchronization

/// Auth's audit records as JSON lines on stderr. `record` only queues (it is called on store and
/// hash threads, inside group commit, and must never wait for journald); the loop thread writes
/// what is queued with one `write` per loop cycle. Thread-safe: `flush` belongs to the loop thread.
final class AuditLog: AuditSink {
    /// Records queued beyond this are dropped (and counted) rather than growing without bound.
    static let queueLimit = 65_536
    /// The most bytes of an email a line carries; a longer one is cut between characters and
    /// the line says so (`"email_truncated":true`). Auth only lets 250-byte emails through; this
    /// keeps a line bounded whatever a record holds.
    static let emailLimit = 256

    private struct Queue {
        var records: [AuditRecord] = []
        var dropped = 0
    }

    private let queue = Mutex(Queue())
    private let descriptor: Int32

    /// An audit log writing to `descriptor` (stderr by default).
    init(descriptor: Int32 = 2) {
        self.descriptor = descriptor
    }

    func record(_ record: AuditRecord) {
        queue.withLock { queue in
            guard queue.records.count < Self.queueLimit else {
                queue.dropped += 1
                return
            }
            queue.records.append(record)
        }
    }

    /// Records dropped because the queue was full.
    var dropped: Int { queue.withLock { $0.dropped } }

    /// Writes the queued records; called at the end of each loop cycle and before exit.
    func flush() {
        var records: [AuditRecord] = []
        queue.withLock { queue in swap(&records, &queue.records) }
        guard !records.isEmpty else { return }
        var lines: [UInt8] = []
        lines.reserveCapacity(records.count * 160)
        var time = TimestampFormatter()
        for record in records { Self.append(record, time: &time, to: &lines) }
        lines.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// One line; `email` is written only when there is no user id to name the user.
    private static func append(_ record: AuditRecord, time: inout TimestampFormatter, to line: inout [UInt8]) {
        line.append(contentsOf: #"{"time":""#.utf8)
        time.append(record.time, to: &line)
        line.append(contentsOf: #"","audit":""#.utf8)
        line.append(contentsOf: record.event.rawValue.utf8)
        line.append(UInt8(ascii: "\""))
        if let userID = record.userID {
            line.append(contentsOf: #","user_id":"#.utf8)
            DecimalWriter.append(Int(userID), to: &line)
        } else if let email = record.email {
            line.append(contentsOf: #","email":"#.utf8)
            let kept = prefix(of: email, bytes: emailLimit)
            JSONWriter.appendString(kept, to: &line)
            if kept.utf8.count < email.utf8.count { line.append(contentsOf: #","email_truncated":true"#.utf8) }
        }
        line.append(contentsOf: #","address":"#.utf8)
        JSONWriter.appendString(record.client.address, to: &line)
        if let reason = record.reason {
            line.append(contentsOf: #","reason":"#.utf8)
            JSONWriter.appendString(reason, to: &line)
        }
        if let session = record.session {
            line.append(contentsOf: #","session":"#.utf8)
            JSONWriter.appendString(session.description, to: &line)
        }
        if let count = record.count {
            line.append(contentsOf: #","count":"#.utf8)
            DecimalWriter.append(count, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
    }

    /// The longest prefix of `text` of whole Unicode scalars within `bytes` UTF-8 bytes.
    private static func prefix(of text: String, bytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var kept = 0
        for scalar in text.unicodeScalars {
            let size = UTF8.width(scalar)
            guard kept + size <= limit else { break }
            kept += size
        }
        return String(decoding: text.utf8.prefix(kept), as: UTF8.self)
    }
}
