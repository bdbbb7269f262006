/// `multipart/form-data` (RFC 7578) as `curl -F` and browsers send it: text parts become fields,
/// parts with a `filename` (file uploads) are skipped.
enum MultipartDecoder {
    private static let crlf: [UInt8] = [0x0D, 0x0A]

    static func decode(_ body: [UInt8], boundary: [UInt8]) throws(FormDecodeError) -> FormFields {
        let delimiter = [0x2D, 0x2D] + boundary
        let nextDelimiter = crlf + delimiter
        var fields = FormFields()
        // The first delimiter opens the body or follows a preamble and a CRLF.
        var position: Int
        if body.starts(with: delimiter) {
            position = delimiter.count
        } else if let found = search(nextDelimiter, in: body, from: 0) {
            position = found + nextDelimiter.count
        } else {
            throw .malformedMultipart
        }
        while true {
            if hasPrefix([0x2D, 0x2D], body, at: position) { return fields }
            // Transport padding may follow a delimiter before its CRLF (RFC 2046 §5.1.1).
            while position < body.count && ByteClass.isWhitespace(body[position]) { position += 1 }
            guard hasPrefix(crlf, body, at: position) else { throw .malformedMultipart }
            position += 2
            guard let contentEnd = search(nextDelimiter, in: body, from: position) else {
                throw .malformedMultipart
            }
            let headersEnd: Int
            let contentStart: Int
            // The blank line ending the part's headers must come before the next delimiter's CRLF.
            if hasPrefix(crlf, body, at: position) && position + 2 <= contentEnd {
                headersEnd = position
                contentStart = position + 2
            } else if let blank = search(crlf + crlf, in: body, from: position), blank + 4 <= contentEnd {
                headersEnd = blank
                contentStart = blank + 4
            } else {
                throw .malformedMultipart
            }
            if let name = try fieldName(body[position..<headersEnd]) {
                if fields.count == FormDecoder.maxFields { throw .tooManyFields }
                fields.append(name: name, value: try validatedString(body[contentStart..<contentEnd]))
            }
            position = contentEnd + nextDelimiter.count
        }
    }

    /// The field name from a part's `Content-Disposition: form-data; name=…`, or nil for a file part.
    private static func fieldName(_ headers: ArraySlice<UInt8>) throws(FormDecodeError) -> String? {
        let text = try validatedString(headers)
        for line in text.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedMultipart }
            guard line[..<colon].lowercased() == "content-disposition" else { continue }
            let disposition = MediaType(String(line[line.index(after: colon)...]))
            guard disposition.type == "form-data", let name = disposition.parameter("name") else {
                throw .malformedMultipart
            }
            return disposition.parameter("filename") == nil ? name : nil
        }
        throw .malformedMultipart
    }

    private static func hasPrefix(_ prefix: [UInt8], _ body: [UInt8], at position: Int) -> Bool {
        position + prefix.count <= body.count && body[position..<(position + prefix.count)].elementsEqual(prefix)
    }

    /// The offset of the first `needle` in `body` at or after `start`.
    private static func search(_ needle: [UInt8], in body: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, body.count >= needle.count else { return nil }
        var i = start
        let last = body.count - needle.count
        while i <= last {
            if body[i] == first && hasPrefix(needle, body, at: i) { return i }
            i += 1
        }
        return nil
    }
}
