/// A libcrypto call that failed where it should not (out of memory, a broken provider): the
/// operation is refused, nothing is written. Names the call.
public struct CryptoFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The libcrypto function that failed.
    public var call: String

    public var description: String { "libcrypto \(call) failed" }
}
