/// Why a request was rejected; each rule of RFC 9112 the parser enforces is its own case.
public enum HTTPParseError: Error, Sendable, Equatable {
    case badRequestLine
    case invalidMethod
    case unsupportedVersion
    case targetTooLong
    case invalidTargetAuthority
    case invalidHeaderName
    case whitespaceBeforeColon
    case obsoleteLineFolding
    case invalidHeaderValue
    case headTooLarge
    case tooManyHeaders
    case missingHost
    case multipleHosts
    case invalidHost
    case invalidContentLength
    case conflictingContentLengths
    case contentLengthWithTransferEncoding
    case unsupportedTransferCoding
    case invalidTransferEncoding
    case transferEncodingInHTTP10
    case invalidChunkSize
    case invalidChunkFraming
    case chunkedOverheadTooLarge
    case bodyTooLarge

    /// The HTTP status to answer with.
    public var status: Int {
        switch self {
        case .unsupportedVersion: 505
        case .targetTooLong: 414
        case .headTooLarge, .tooManyHeaders: 431
        case .unsupportedTransferCoding: 501
        case .chunkedOverheadTooLarge, .bodyTooLarge: 413
        default: 400
        }
    }

    /// A short human explanation for the JSON `{"message": ...}` answer.
    public var message: String {
        switch self {
        case .badRequestLine: "malformed request line"
        case .invalidMethod: "invalid method"
        case .unsupportedVersion: "HTTP version not supported"
        case .targetTooLong: "request target too long"
        case .invalidTargetAuthority: "invalid host in absolute-form request target"
        case .invalidHeaderName: "invalid header field name"
        case .whitespaceBeforeColon: "whitespace between header field name and colon"
        case .obsoleteLineFolding: "obsolete line folding in header field"
        case .invalidHeaderValue: "invalid character in header field value"
        case .headTooLarge: "request header fields too large"
        case .tooManyHeaders: "too many header fields"
        case .missingHost: "missing Host header"
        case .multipleHosts: "more than one Host header"
        case .invalidHost: "invalid Host header"
        case .invalidContentLength: "invalid Content-Length"
        case .conflictingContentLengths: "conflicting Content-Length values"
        case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding"
        case .unsupportedTransferCoding: "unsupported transfer coding"
        case .invalidTransferEncoding: "invalid Transfer-Encoding"
        case .transferEncodingInHTTP10: "Transfer-Encoding in an HTTP/1.0 request"
        case .invalidChunkSize: "invalid chunk size"
        case .invalidChunkFraming: "invalid chunked framing"
        case .chunkedOverheadTooLarge: "chunk framing and trailers too large"
        case .bodyTooLarge: "request body too large"
        }
    }
}
