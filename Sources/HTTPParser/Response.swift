/// A response to serialize: status, extra headers and a body (JSON unless said otherwise).
public struct Response: Sendable {
    public var status: Int
    /// Headers beyond those the writer adds itself (Content-Length, Content-Type, Date, Connection).
    /// Repeated names (Set-Cookie) are written once each.
    public var headers: [(name: String, value: String)]
    public var contentType: String
    public var body: [UInt8]

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
