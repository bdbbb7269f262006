/// Reads a request's query string with the urlencoded rules (`+`, `%XX`, first value wins).
public enum QueryDecoder {
    /// The fields of `query` (the part after `?`, as `Request.query` gives it); nil gives none.
    public static func decode(_ query: Substring?) throws(FormDecodeError) -> FormFields {
        guard let query, !query.isEmpty else { return FormFields() }
        return try URLEncodedDecoder.decode(Array(query.utf8)[...])
    }
}
