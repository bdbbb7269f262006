import Foundation
import Testing

@testable import AuthService
@testable import authd

/// The audit log's lines themselves, written to a pipe: bounded whatever a record holds.
@Suite struct AuditLogLineTests {
    /// The lines `records` become, through a pipe.
    private func lines(of records: [AuditRecord]) throws -> [[String: Any]] {
        let pipe = Pipe()
        let log = AuditLog(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        records.forEach(log.record)
        log.flush()
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    private func failure(email: String) -> AuditRecord {
        AuditRecord(
            event: .loginFailed, time: 1_700_000_000_000, userID: nil, email: email,
            client: ClientIdentity(address: "192.0.2.1"), reason: "invalid_credentials")
    }

    @Test func anEmailOver256BytesIsCutAtACharacterAndMarked() throws {
        // 130 two-byte é: 260 bytes; the cut keeps 128 of them (256 bytes), never half of one.
        let long = String(repeating: "\u{E9}", count: 130) + "@x.test"
        let written = try lines(of: [failure(email: long), failure(email: "short@x.test")])
        #expect(written.count == 2)
        let cut = try #require(written.first?["email"] as? String)
        #expect(cut == String(repeating: "\u{E9}", count: 128))
        #expect(written.first?["email_truncated"] as? Bool == true)
        #expect(written.last?["email"] as? String == "short@x.test")
        #expect(written.last?["email_truncated"] == nil)
    }

    @Test func anEmailOfExactly256BytesIsKeptWhole() throws {
        let exactly = String(repeating: "a", count: 249) + "@x.test"
        let written = try lines(of: [failure(email: exactly)])
        #expect(written.first?["email"] as? String == exactly)
        #expect(written.first?["email_truncated"] == nil)
    }
}
