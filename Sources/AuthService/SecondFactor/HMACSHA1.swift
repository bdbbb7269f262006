import CLibcrypto

/// HMAC-SHA1 through libcrypto's one-shot `HMAC`: what RFC 6238's default TOTP uses, and what
/// every authenticator app computes.
enum HMACSHA1 {
    /// HMAC-SHA1 of `message` under `key`: 20 bytes.
    static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // Fails only without memory or an SHA-1 implementation: no code matches, none is accepted.
        guard HMAC(EVP_sha1(), key, Int32(key.count), message, message.count, &digest, &length) != nil else {
            return []
        }
        return Array(digest.prefix(Int(length)))
    }
}
