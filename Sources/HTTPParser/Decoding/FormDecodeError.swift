/// Why a request body or query string could not be read as form fields.
public enum FormDecodeError: Error, Sendable, Equatable {
    case missingContentType
    case unsupportedContentType
    case invalidPercentEncoding
    case invalidUTF8
    case missingBoundary
    case malformedMultipart
    case malformedJSON
    case nonStringJSONValue
    case tooManyFields

    /// The HTTP status to answer with.
    public var status: Int {
        switch self {
        case .missingContentType, .unsupportedContentType: 415
        case .tooManyFields: 413
        default: 400
        }
    }

    /// A short human explanation for the JSON `{"message": ...}` answer.
    public var message: String {
        switch self {
        case .missingContentType: "missing Content-Type for a request body"
        case .unsupportedContentType: "unsupported Content-Type: send form fields or a JSON object"
        case .invalidPercentEncoding: "invalid percent-encoding in form data"
        case .invalidUTF8: "form data is not valid UTF-8"
        case .missingBoundary: "multipart body without a boundary"
        case .malformedMultipart: "malformed multipart body"
        case .malformedJSON: "malformed JSON object"
        case .nonStringJSONValue: "JSON values must be strings"
        case .tooManyFields: "too many form fields"
        }
    }
}
