import Testing

@testable import AuthService

/// The reset mail as RFC 5322 wants it, and nothing a value holds can add a header.
@Suite struct ResetMailTests {
    private let mail = OutboxMail(
        id: 7, userID: 3, recipient: "bob+reset@example.com", token: "0b4e9f9a-5a7e-4d8e-9c1b-3f2a1d0e9c8b",
        requestedBy: "192.0.2.1", createdAt: 1_700_000_000_000, expiresAt: 1_700_000_900_000,
        nextAttemptAt: 1_700_000_000_000)

    private func text(_ settings: ResetMailSettings = ResetMailSettings(from: "noreply@app.test")) throws -> String {
        String(decoding: try ResetMail.message(for: mail, settings: settings, now: 1_700_000_001_000), as: UTF8.self)
    }

    @Test func theMailHasTheHeadersRFC5322AsksAndCRLFLineEnds() throws {
        let message = try text()
        let head = String(message[..<message.range(of: "\r\n\r\n")!.lowerBound])
        let fields = Dictionary(
            head.components(separatedBy: "\r\n").map { line in
                let colon = line.firstIndex(of: ":")!
                return (String(line[..<colon]), String(line[line.index(colon, offsetBy: 2)...]))
            }, uniquingKeysWith: { first, _ in first })
        #expect(fields["Date"] == "Tue, 14 Nov 2023 22:13:21 +0000")
        #expect(fields["From"] == "noreply@app.test")
        #expect(fields["To"] == "bob+reset@example.com")
        #expect(fields["Subject"] == "Reset your password")
        #expect(fields["Message-ID"]?.wholeMatch(of: /<[0-9a-f-]{36}@app\.test>/) != nil)
        #expect(fields["Content-Type"] == "text/plain; charset=us-ascii")
        // Every line break is CRLF: no bare LF anywhere.
        #expect(!message.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(message.utf8.allSatisfy { $0 < 0x80 })
    }

    @Test func withoutALinkTheMailCarriesTheTokenItself() throws {
        let message = try text()
        #expect(message.contains("\r\n\(mail.token)\r\n"))
        #expect(message.contains("Tue, 14 Nov 2023 22:28:20 +0000"))  // the expiry
    }

    @Test func theLinkTemplateGetsThePercentEncodedTokenAndEmail() throws {
        let settings = ResetMailSettings(
            from: "noreply@app.test", linkTemplate: "https://app.test/reset?t={token}&e={email}#x")
        let message = try text(settings)
        #expect(message.contains("\r\nhttps://app.test/reset?t=\(mail.token)&e=bob%2Breset%40example.com#x\r\n"))
        #expect(PercentEncoding.encoded("a b+c@\u{E9}/?&=#%~._-Z9") == "a%20b%2Bc%40%C3%A9%2F%3F%26%3D%23%25~._-Z9")
    }

    @Test(arguments: [
        "bob@x.test\r\nBcc: all@evil.test", "bob@x.test\nBcc: all@evil.test", "bob@x.test\rX: y", "bob\u{0}@x.test",
    ])
    func aRecipientWithALineBreakNeverBecomesAHeader(_ recipient: String) throws {
        var tampered = mail
        tampered.recipient = recipient
        #expect(throws: MailMessage.Invalid.headerInjection("To")) {
            try ResetMail.message(for: tampered, settings: ResetMailSettings(), now: 0)
        }
    }

    @Test func aHeaderNameOrAnOverlongLineIsRefused() {
        #expect(throws: MailMessage.Invalid.headerInjection("X-A: b\r\nBcc")) {
            try MailMessage(headers: [("X-A: b\r\nBcc", "c")], body: "").rendered()
        }
        #expect(throws: MailMessage.Invalid.lineTooLong) {
            try MailMessage(headers: [], body: String(repeating: "x", count: 999)).rendered()
        }
    }

    @Test func datesAreRFC5322InUTC() {
        #expect(MailMessage.date(0) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MailMessage.date(1_709_210_096_789) == "Thu, 29 Feb 2024 12:34:56 +0000")
    }
}

/// When a deferred mail is tried again.
@Suite struct RetryScheduleTests {
    @Test func waitsDoubleFromSecondsUpToFiveMinutes() {
        let schedule = RetrySchedule()
        let delays = (1...11).map { schedule.delay(afterAttempts: $0) / 1000 }
        #expect(delays == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300])
        #expect(schedule.delay(afterAttempts: 10_000) == 300_000)
        #expect(schedule.delay(afterAttempts: 0) == 2_000)
    }
}

/// `--reset-delivery` and the mail settings: what is read, and what is refused with which flag named.
@Suite struct ResetDeliveryTests {
    @Test(arguments: [
        ("response", ResetDelivery.response), ("smtp://127.0.0.1:2525", .smtp(host: "127.0.0.1", port: 2525)),
        ("smtp://localhost", .smtp(host: "localhost", port: 25)), ("smtp://[::1]:587", .smtp(host: "::1", port: 587)),
        ("smtp://mail.example.com:25", .smtp(host: "mail.example.com", port: 25)),
    ])
    func readsResponseAndSMTPRelays(_ text: String, _ expected: ResetDelivery) {
        #expect(ResetDelivery(parsing: text) == expected)
        #expect(ResetDelivery(parsing: expected.description) == expected)
    }

    @Test(arguments: [
        "", "mail", "smtp://", "smtp://host:0", "smtp://host:65536", "smtp://host:x", "smtp://user@host:25",
        "smtp://host:25/path", "smtp://host:25?q", "smtps://host:465", "smtp://[::1", "smtp://[nothost]:25",
        "SMTP://host",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(ResetDelivery(parsing: text) == nil)
    }

    @Test func mailSettingsNameTheFlagTheyBreak() {
        #expect(throws: AuthStartupError.mailFromInvalid("a@b.c\r\nBcc: x@y")) {
            try ResetMailSettings(from: "a@b.c\r\nBcc: x@y").validate()
        }
        #expect(throws: AuthStartupError.mailFromInvalid("<a@b.c>")) {
            try ResetMailSettings(from: "<a@b.c>").validate()
        }
        #expect(throws: AuthStartupError.resetLinkInvalid("https://x/", rule: "must contain {token}")) {
            try ResetMailSettings(linkTemplate: "https://x/").validate()
        }
        #expect((try? ResetMailSettings(linkTemplate: "https://x/?t={token} ").validate()) == nil)
        #expect((try? ResetMailSettings(linkTemplate: "https://x/?t={token}").validate()) != nil)
        var timeout = Lifetime(seconds: 1)
        timeout.milliseconds = 0
        #expect(throws: AuthStartupError.smtpTimeoutOutOfRange(timeout)) {
            try ResetMailSettings(timeout: timeout).validate()
        }
        #expect("\(AuthStartupError.mailFromInvalid("x"))" == "--mail-from 'x' must be a plain ASCII email address")
    }
}
