/// What the parser learned from the request line and header fields of the current request.
///
/// Positions are offsets from the start of the request, so they survive the caller moving its
/// buffer between calls.
struct RequestHead {
    var methodStart = 0
    var methodCount = 0
    var targetStart = 0
    var targetCount = 0
    /// The target was absolute-form with an empty path: `/` goes before the span.
    var targetNeedsSlash = false
    var version = HTTPVersion.http11
    /// Offset of the first header line; header spans are relative to it.
    var headerBlockStart = 0
    /// Reused from request to request; each `Request` gets an exact-size copy.
    var fields: [HTTPHeaders.FieldSpan] = []

    var hostCount = 0
    var contentLength: Int?
    var hasTransferEncoding = false
    var chunkedCount = 0
    var chunkedIsLast = false
    var hasOtherCoding = false
    var connectionClose = false
    var connectionKeepAlive = false
    var expectsContinue = false
    var hasForwardingField = false

    /// Forgets the request but keeps the span array's capacity for the next one.
    mutating func reset() {
        fields.removeAll(keepingCapacity: true)
        let keep = fields
        self = RequestHead()
        fields = keep
    }

    /// Whether the connection stays open after this request (RFC 9112 §9.3).
    var keepAlive: Bool {
        if connectionClose { return false }
        return version.minor >= 1 || connectionKeepAlive
    }
}
