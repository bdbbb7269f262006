/// The key that seals, and earlier keys that still open what they sealed: rotating means starting
/// with a new `--secret-key-file` and the old one as `--previous-secret-key-file`. Thread-safe (a value).
public struct SealingKeyring: Sendable {
    /// The key new values are sealed under.
    public let current: SealingKey
    private let previous: [SealingKey]

    /// A keyring sealing with `current`, also opening what `previous` sealed.
    public init(current: SealingKey, previous: [SealingKey] = []) {
        self.current = current
        self.previous = previous.filter { $0.id != current.id }
    }

    /// `plaintext` sealed under the current key, bound to `binding`.
    public func seal(_ plaintext: [UInt8], for binding: SealBinding) throws(CryptoFailure) -> SealedSecret {
        let box = try AESGCM.seal(plaintext, key: current.bytes, associatedData: binding.associatedData)
        return SealedSecret(keyID: current.id, sealed: Hex.encode(box))
    }

    /// The plaintext of `secret`; nil when no key of the ring has its id, or when it was not sealed
    /// for `binding` (another user's row), or was altered.
    public func open(_ secret: SealedSecret, for binding: SealBinding) -> [UInt8]? {
        guard let key = key(id: secret.keyID), let box = Hex.decode(secret.sealed) else { return nil }
        return AESGCM.open(box, key: key.bytes, associatedData: binding.associatedData)
    }

    /// Whether `secret` is sealed under an older key (to be sealed again under the current one).
    public func isStale(_ secret: SealedSecret) -> Bool {
        secret.keyID != current.id
    }

    /// Whether a key of the ring has id `keyID` (so what it sealed opens).
    public func holds(keyID: String) -> Bool {
        key(id: keyID) != nil
    }

    private func key(id: String) -> SealingKey? {
        id == current.id ? current : previous.first { $0.id == id }
    }
}
