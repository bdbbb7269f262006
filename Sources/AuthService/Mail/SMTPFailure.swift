/// Where in an SMTP dialogue (RFC 5321) something happened.
public enum SMTPStage: String, Sendable, Equatable {
    case connect
    case greeting
    case hello = "EHLO"
    case mailFrom = "MAIL FROM"
    case recipient = "RCPT TO"
    case data = "DATA"
    case message = "end of data"
}

/// Why a mail did not get through. `isPermanent` ones (a 5xx reply, an address the client refuses
/// to send) are not retried; every other one is, until the token expires.
public enum SMTPFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// An envelope address holds what must never reach the relay (CR, LF, controls, `<`, `>`, space).
    case invalidAddress
    /// The relay needs an extension it does not offer (SMTPUTF8 for a non-ASCII address).
    case unsupported(String)
    /// The relay's address could not be resolved or connected to (the system's words).
    case unreachable(String)
    /// The relay took longer than the timeout to accept the connection or to answer.
    case timedOut(SMTPStage)
    /// The relay closed the connection (or it failed) before answering.
    case closed(SMTPStage)
    /// The relay answered what is not an SMTP reply.
    case malformedReply(SMTPStage)
    /// The relay answered with this code where another was expected: 4xx, 5xx, or one out of place.
    case reply(SMTPStage, code: Int, text: String)

    /// A 5xx reply or a mail that can never be sent as it is: logged, not retried.
    public var isPermanent: Bool {
        switch self {
        case .invalidAddress, .unsupported: true
        case let .reply(_, code, _): (500..<600).contains(code)
        case .unreachable, .timedOut, .closed, .malformedReply: false
        }
    }

    /// Whether it says the relay as a whole cannot take mail now (rather than this one mail): the
    /// other mails due wait as well, instead of each meeting the same dead relay.
    var isRelayWide: Bool {
        switch self {
        case .unreachable, .timedOut, .closed, .malformedReply: true
        case let .reply(stage, _, _): stage == .greeting || stage == .hello
        case .invalidAddress, .unsupported: false
        }
    }

    /// A short name for the audit record's `reason`.
    public var reason: String {
        switch self {
        case .invalidAddress: "invalid_address"
        case .unsupported: "unsupported"
        case .unreachable: "relay_unreachable"
        case .timedOut: "relay_timeout"
        case .closed: "relay_closed"
        case .malformedReply: "relay_malformed_reply"
        case let .reply(_, code, _): (500..<600).contains(code) ? "relay_refused" : "relay_deferred"
        }
    }

    public var description: String {
        switch self {
        case .invalidAddress: "an envelope address holds characters SMTP cannot carry"
        case let .unsupported(what): "the relay does not offer \(what)"
        case let .unreachable(why): "cannot connect to the relay: \(why)"
        case let .timedOut(stage): "the relay did not answer in time (\(stage.rawValue))"
        case let .closed(stage): "the relay closed the connection (\(stage.rawValue))"
        case let .malformedReply(stage): "the relay's reply is not SMTP (\(stage.rawValue))"
        case let .reply(stage, code, text): "the relay answered \(code) \(text) (\(stage.rawValue))"
        }
    }
}
