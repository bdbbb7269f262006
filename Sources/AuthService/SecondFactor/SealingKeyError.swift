/// Why a key file (`--secret-key-file`, `--previous-secret-key-file`) cannot be used; the
/// description is the one start-up line, naming the flag and the commands that make a good key file.
public enum SealingKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file cannot be opened or read (the system's words).
    case unreadable(flag: String, path: String, reason: String)
    /// The file does not hold exactly 32 bytes (a longer one reads as 33).
    case wrongSize(flag: String, path: String, bytes: Int)

    public var description: String {
        switch self {
        case let .unreadable(flag, path, reason):
            "\(flag) \(path): cannot read it (\(reason)); \(Self.howToMake(path))"
        case let .wrongSize(flag, path, bytes):
            "\(flag) \(path) must hold exactly \(SealingKey.byteCount) bytes, not "
                + (bytes > SealingKey.byteCount ? "more" : "\(bytes)") + "; \(Self.howToMake(path))"
        }
    }

    private static func howToMake(_ path: String) -> String {
        "make one with: head -c \(SealingKey.byteCount) /dev/urandom > \(path); chmod 600 \(path)"
    }
}
