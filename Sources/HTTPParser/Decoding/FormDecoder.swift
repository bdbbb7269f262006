/// Reads a POST/PUT body as form fields, the way Flask's `request.form` does, plus flat JSON.
public enum FormDecoder {
    /// More fields than this is an attack or a bug, not a form.
    public static let maxFields = 1_000

    /// Decodes `body` according to `contentType` (`application/x-www-form-urlencoded`,
    /// `multipart/form-data; boundary=…` or `application/json`). An empty body gives no fields.
    public static func decode(body: [UInt8], contentType: String?) throws(FormDecodeError) -> FormFields {
        if body.isEmpty { return FormFields() }
        guard let contentType else { throw .missingContentType }
        let media = MediaType(contentType)
        switch media.type {
        case "application/x-www-form-urlencoded":
            return try URLEncodedDecoder.decode(body[...])
        case "multipart/form-data":
            guard let boundary = media.parameter("boundary"), !boundary.isEmpty else {
                throw .missingBoundary
            }
            return try MultipartDecoder.decode(body, boundary: Array(boundary.utf8))
        case "application/json":
            return try JSONObjectDecoder.decode(body)
        default:
            throw .unsupportedContentType
        }
    }

    /// Decodes a query string (`a=1&b=%2F`) as urlencoded form fields, as Flask's `request.args`.
    public static func decode(query: Substring) throws(FormDecodeError) -> FormFields {
        try URLEncodedDecoder.decode(Array(query.utf8)[...])
    }
}

/// Turns decoded bytes into a String, refusing invalid UTF-8 rather than repairing it.
@inline(__always)
func validatedString(_ bytes: some Collection<UInt8>) throws(FormDecodeError) -> String {
    guard let string = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
    return string
}
