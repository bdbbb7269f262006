import CLibcrypto

/// AES-256-GCM through OpenSSL's EVP interface, the one authenticated cipher authd seals with. A
/// sealed box is nonce (12 random bytes) ‖ ciphertext ‖ tag (16 bytes).
enum AESGCM {
    static let keyBytes = 32
    static let nonceBytes = 12
    static let tagBytes = 16

    /// `plaintext` sealed under `key` (32 bytes) with a fresh random nonce, bound to `associatedData`.
    static func seal(_ plaintext: [UInt8], key: [UInt8], associatedData: [UInt8]) throws(CryptoFailure) -> [UInt8] {
        precondition(key.count == keyBytes, "AES-256 takes a 32-byte key")
        let nonce = SecureRandom.bytes(nonceBytes)
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoFailure(call: "EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw CryptoFailure(call: "EVP_EncryptInit_ex")
        }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw CryptoFailure(call: "EVP_EncryptUpdate")
            }
        }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + tagBytes)
        var written = 0
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1 else {
                throw CryptoFailure(call: "EVP_EncryptUpdate")
            }
            written = Int(length)
        }
        // GCM is a stream mode: Final writes nothing, but it completes the tag.
        let finished = ciphertext.withUnsafeMutableBufferPointer { out in
            EVP_EncryptFinal_ex(context, out.baseAddress! + written, &length)
        }
        guard finished == 1 else { throw CryptoFailure(call: "EVP_EncryptFinal_ex") }
        written += Int(length)
        let tagged = ciphertext.withUnsafeMutableBufferPointer { out in
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagBytes), out.baseAddress! + written)
        }
        guard tagged == 1 else { throw CryptoFailure(call: "EVP_CIPHER_CTX_ctrl(GET_TAG)") }
        return nonce + ciphertext.prefix(written + tagBytes)
    }

    /// The plaintext of `box`; nil when it was not sealed under `key` with `associatedData`, or was
    /// changed since (the tag does not verify), or is too short to be a box.
    static func open(_ box: [UInt8], key: [UInt8], associatedData: [UInt8]) -> [UInt8]? {
        guard key.count == keyBytes, box.count >= nonceBytes + tagBytes else { return nil }
        guard let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        let nonce = Array(box.prefix(nonceBytes))
        let ciphertext = Array(box[nonceBytes..<(box.count - tagBytes)])
        var tag = Array(box.suffix(tagBytes))
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { return nil }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                return nil
            }
        }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + tagBytes)
        var written = 0
        if !ciphertext.isEmpty {
            guard EVP_DecryptUpdate(context, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1 else {
                return nil
            }
            written = Int(length)
        }
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagBytes), &tag) == 1 else { return nil }
        // Final is where the tag is checked: anything but 1 means forged, wrong key or wrong data.
        let verified = plaintext.withUnsafeMutableBufferPointer { out in
            EVP_DecryptFinal_ex(context, out.baseAddress! + written, &length)
        }
        guard verified == 1 else { return nil }
        return Array(plaintext.prefix(written + Int(length)))
    }
}
