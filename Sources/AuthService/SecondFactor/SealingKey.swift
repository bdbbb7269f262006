import CLibcrypto
import Glibc

/// The server key that seals secrets authd must read back (TOTP secrets): 32 random bytes from a
/// file kept outside the database (`--secret-key-file`), so a copy of the database alone opens
/// nothing. Its id, stored beside each sealed value, names it without revealing it, so a new key can
/// take over while values sealed under the old one still open.
public struct SealingKey: Sendable {
    /// The key's length in bytes (AES-256).
    public static let byteCount = AESGCM.keyBytes

    let bytes: [UInt8]
    /// The first 8 hex digits of the key's SHA-256: tells keys apart, says nothing of the key.
    public let id: String

    /// A key of exactly `byteCount` bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
        var digest = [UInt8](repeating: 0, count: 32)
        clibcrypto_sha256(bytes, bytes.count, &digest)
        id = Hex.encode(Array(digest.prefix(4)))
    }

    /// Reads the key file at `path`, which must hold exactly `byteCount` bytes; an error names it
    /// by `flag`, the setting that gave it.
    public init(contentsOfFile path: String, flag: String = "--secret-key-file") throws(SealingKeyError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .unreadable(flag: flag, path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        // One byte more than a key: a longer file is refused, not cut short.
        var buffer = [UInt8](repeating: 0, count: Self.byteCount + 1)
        var count = 0
        while count < buffer.count {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw .unreadable(flag: flag, path: path, reason: String(cString: strerror(errno))) }
            if got == 0 { break }
            count += got
        }
        guard let key = SealingKey(bytes: Array(buffer.prefix(count))), count == Self.byteCount else {
            throw .wrongSize(flag: flag, path: path, bytes: count)
        }
        self = key
    }

    /// A new random key (tests, and whoever embeds AuthService without a file).
    public static func random() -> SealingKey {
        SealingKey(bytes: SecureRandom.bytes(byteCount))!
    }
}
