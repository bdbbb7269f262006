/// How a reset token reaches its owner: the seed's way, in the answer to whoever asks, or by mail
/// through an SMTP relay (usually the host's own MTA, which handles TLS and the onward hops).
public enum ResetDelivery: Sendable, Equatable, CustomStringConvertible {
    /// The seed's behaviour: `POST /reset_password` answers with the token.
    case response
    /// The token goes only by mail, through the relay at `host:port`.
    case smtp(host: String, port: Int)

    /// The port of an `smtp://` relay named without one.
    public static let defaultPort = 25

    /// Reads `response` or `smtp://HOST[:PORT]` (a name, an IPv4 address or a bracketed IPv6 one,
    /// port 1...65535, 25 when left out); nil for anything else, such as a path, a user or a query.
    public init?(parsing text: String) {
        if text == "response" {
            self = .response
            return
        }
        guard text.hasPrefix("smtp://") else { return nil }
        let authority = text.dropFirst("smtp://".count)
        let host: Substring
        var port = Self.defaultPort
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()) else { return nil }
                port = number
            }
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            if parts.count == 2 {
                guard let number = Int(parts[1]) else { return nil }
                port = number
            }
            // Host names and IPv4 addresses: letters, digits, '-' and '.', nothing a URL would treat
            // as a path, a user or a query.
            let allowed = { (character: Character) in
                character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == ".")
            }
            guard host.allSatisfy(allowed) else { return nil }
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self = .smtp(host: String(host), port: port)
    }

    public var description: String {
        switch self {
        case .response: "response"
        case let .smtp(host, port): host.contains(":") ? "smtp://[\(host)]:\(port)" : "smtp://\(host):\(port)"
        }
    }
}

/// What a reset mail says and how long its relay may take; used with `ResetDelivery.smtp`.
/// The one home of these defaults and rules.
public struct ResetMailSettings: Sendable, Equatable {
    /// The sender, in the envelope (`MAIL FROM`) and the `From` header: a plain ASCII address.
    public var from: String
    /// A URL with `{token}` (and optionally `{email}`), each replaced by its percent-encoded value;
    /// nil puts the token itself in the mail.
    public var linkTemplate: String?
    /// How long the relay may take to connect or to answer one command before the attempt is given
    /// up and retried later.
    public var timeout: Lifetime
    /// The mails one account may be sent, whoever asks: 3 per 15 minutes, one a minute at most, so
    /// that nobody fills a mailbox or voids the link just mailed by asking again.
    public var accountLimit = ResetMailLimit(mails: 3, window: 15 * 60_000, interval: 60_000)

    /// The longest link template, in bytes: the link stays one line of a mail (RFC 5322: 998).
    public static let maximumLinkTemplateBytes = 400

    /// Settings; every argument has the documented default.
    public init(
        from: String = "authd@localhost", linkTemplate: String? = nil, timeout: Lifetime = Lifetime(seconds: 10)
    ) {
        self.from = from
        self.linkTemplate = linkTemplate
        self.timeout = timeout
    }

    /// Throws the first setting that breaks its rule, naming its flag and value.
    public func validate() throws(AuthStartupError) {
        let parsed = try? EmailAddress(from)
        guard let parsed, parsed.normalized == from,
            from.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") })
        else { throw .mailFromInvalid(from) }
        if let template = linkTemplate {
            guard template.contains("{token}") else { throw .resetLinkInvalid(template, rule: "must contain {token}") }
            guard template.utf8.count <= Self.maximumLinkTemplateBytes else {
                throw .resetLinkInvalid(template, rule: "must be at most \(Self.maximumLinkTemplateBytes) bytes")
            }
            guard template.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
                throw .resetLinkInvalid(
                    template, rule: "must be printable ASCII without spaces (percent-encode the rest)")
            }
        }
        guard timeout.milliseconds > 0, timeout.milliseconds <= 3_600_000 else { throw .smtpTimeoutOutOfRange(timeout) }
    }
}
