/// A response to serialize: status, extra headers and a body (JSON unless said otherwise).
public struct Response: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Headers beyond those the writer adds itself (Content-Length, Content-Type, Date, Connection).
    /// Repeated names (Set-Cookie) are written once each.
    public var headers: [(name: String, value: String)]
    /// The `Content-Type` to announce; empty writes none.
    public var contentType: String
    /// The bytes after the head.
    public var body: [UInt8]

    /// A response; JSON with no extra headers unless told otherwise.
    public init(
        status: Int, headers: [(name: String, value: String)] = [],
        contentType: String = "application/json", body: [UInt8] = []
    ) {
        self.status = status
        self.headers = headers
        self.contentType = contentType
        self.body = body
    }
}
