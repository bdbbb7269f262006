/// Size limits the parser enforces on one request; each overrun is its own `HTTPParseError`.
public struct ParserLimits: Sendable, Equatable {
    /// Request line plus header fields, including the line ends (431 beyond it).
    public var maxHeadBytes: Int
    /// Number of header fields (431 beyond it).
    public var maxHeaderCount: Int
    /// Body after any chunked framing is removed (413 beyond it).
    public var maxBodyBytes: Int
    /// Request target in the request line (414 beyond it).
    public var maxTargetBytes: Int

    /// The defaults are authd's documented limits.
    public init(
        maxHeadBytes: Int = 16 * 1024, maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 64 * 1024, maxTargetBytes: Int = 8 * 1024
    ) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxTargetBytes = maxTargetBytes
    }
}
