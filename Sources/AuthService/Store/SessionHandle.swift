/// A session's public name: 64 random bits, drawn apart from the session id, so knowing it tells
/// nothing about the secret. It names the session in lists, revocations and the audit log; only its
/// owner's requests can act on it. Written as 16 lower-case hex digits.
public struct SessionHandle: Sendable, Hashable, CustomStringConvertible {
    /// The bits as the stores keep them (a signed 64-bit column).
    public var rawValue: Int64

    /// The handle with these bits.
    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// A fresh handle from the system's random source.
    public static func random() -> SessionHandle {
        var generator = SystemRandomNumberGenerator()
        return SessionHandle(rawValue: Int64(bitPattern: generator.next()))
    }

    /// The handle its 16 hex digits (either case) spell; nil for anything else.
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == 16, let bits = UInt64(text, radix: 16) else { return nil }
        rawValue = Int64(bitPattern: bits)
    }

    public var description: String {
        let digits = String(UInt64(bitPattern: rawValue), radix: 16)
        return String(repeating: "0", count: 16 - digits.utf8.count) + digits
    }
}
