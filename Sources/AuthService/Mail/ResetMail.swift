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
        template.replacing("{token}", with: PercentEncoding.encoded(token)).replacing(
            "{email}", with: PercentEncoding.encoded(email))
    }
}
