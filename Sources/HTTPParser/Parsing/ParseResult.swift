/// What one call to `RequestParser.parse` found at the start of the buffer.
public enum ParseResult: Sendable {
    /// The request is not complete yet: call again with the same bytes plus more.
    case needMore
    /// A complete request; the caller drops `consumed` bytes before the next call.
    case request(Request, consumed: Int)
    /// The bytes are not an acceptable request: answer `error.status` and close.
    case error(HTTPParseError)
}
