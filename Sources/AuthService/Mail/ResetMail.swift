/// The reset mail itself: headers and a short plain-text body carrying the link, or the token.
enum ResetMail {
    static let subject = "Reset your password"

    /// The message for `mail`, sent at `now` from `settings.from`.
    static func message(for mail: OutboxMail, settings: ResetMailSettings, now: Int64) throws(MailMessage.Invalid)
        -> [UInt8]
    {
        let domain = settings.from.split(separator: "@").last.map(String.init) ?? "localhost"
        let expiry = MailMessage.date(mail.expiresAt)
        let body: String
        if let template = settings.linkTemplate {
            body = """
                Someone asked to reset the password of your account.
                To choose a new one, open this link:

                \(link(template, token: mail.token, email: mail.recipient))

                It works once, until \(expiry).
                If you did not ask, ignore this mail: your password stays as it is.
                """
        } else {
            body = """
                Someone asked to reset the password of your account.
                Your reset token is:

                \(mail.token)

                Send it with your email and a new password to PUT /reset_password.
                It works once, until \(expiry).
                If you did not ask, ignore this mail: your password stays as it is.
                """
        }
        let headers: [(name: String, value: String)] = [
            ("Date", MailMessage.date(now)),
            ("From", settings.from),
            ("To", mail.recipient),
            ("Subject", subject),
            ("Message-ID", "<\(UUID4.make())@\(domain)>"),
            ("Auto-Submitted", "auto-generated"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=us-ascii"),
            ("Content-Transfer-Encoding", "7bit"),
        ]
        return try MailMessage(headers: headers, body: body).rendered()
    }

    /// `template` with `{token}` and `{email}` replaced by their percent-encoded values.
    static func link(_ template: String, token: String, email: String) -> String {
        template.replacing("{token}", with: percentEncoded(token)).replacing("{email}", with: percentEncoded(email))
    }

    /// `text` with every byte outside RFC 3986's unreserved characters (letters, digits, `-._~`)
    /// written `%XX`: safe in a query, a path segment or a fragment.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
