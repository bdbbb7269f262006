import Glibc
import Synchronization

/// What the service keeps of one client connection, made once per connection and handed by
/// reference to each of its requests (so no request allocates or copies more): whether the client
/// has gone, and the session key its last authenticated request used. Thread-safe: set on the
/// connection's thread, read by the hash threads.
///
/// An object of its own, not a field of `ClientIdentity`: the identity is who asks (a value the
/// throttles and the audit log compare and keep), this is one connection's lifetime.
public final class ClientConnection: Sendable {
    /// A session id as it arrived, and the key Auth made of it.
    private struct RememberedKey {
        var sessionID: String
        var plain: Bool
        var key: SecretKey
    }

    // Relaxed: the flag publishes no other data; a job that starts just before it is set runs, as
    // one already running would.
    private let flag = Atomic<Bool>(false)
    /// A keep-alive connection carries one client's cookie request after request; remembering the
    /// last one spares each of them a SHA-256 and two Strings. Only ever this connection's own
    /// value, so a hit tells a client nothing it did not send itself.
    private let sessionKey = Mutex<RememberedKey?>(nil)

    /// Not abandoned yet.
    public init() {}

    /// True once `abandon()` was called.
    public var isAbandoned: Bool { flag.load(ordering: .relaxed) }

    /// Marks the asker gone (its connection closed): password jobs not yet started will be dropped.
    public func abandon() {
        flag.store(true, ordering: .relaxed)
    }

    /// The key remembered for exactly these session id bytes, made in the same mode; else nil.
    func rememberedKey(forSessionID bytes: UnsafeRawBufferPointer, plain: Bool) -> SecretKey? {
        sessionKey.withLock { remembered in
            guard let remembered, remembered.plain == plain, remembered.sessionID.utf8.count == bytes.count else {
                return nil
            }
            let same = remembered.sessionID.utf8.withContiguousStorageIfAvailable { known in
                bytes.isEmpty || memcmp(known.baseAddress!, bytes.baseAddress!, bytes.count) == 0
            }
            return same == true ? remembered.key : nil
        }
    }

    /// Remembers `key` as the one made of `sessionID`, replacing the last.
    func remember(_ key: SecretKey, forSessionID sessionID: String, plain: Bool) {
        sessionKey.withLock { $0 = RememberedKey(sessionID: sessionID, plain: plain, key: key) }
    }
}
