import HTTPParser

/// Runs one decoder on fuzzed input; any outcome but a crash or a broken invariant is fine.
func fuzzDecoders(selector: UInt8, _ input: [UInt8]) {
    switch selector {
    case 4:
        checkStatus { () throws(FormDecodeError) in
            _ = try FormDecoder.decode(body: input, contentType: "application/x-www-form-urlencoded")
        }
    case 5:
        // Boundary, a NUL, then the body.
        let split = input.firstIndex(of: 0) ?? input.count
        let boundary = String(decoding: input[..<split], as: UTF8.self)
        let body = split < input.count ? Array(input[(split + 1)...]) : []
        checkStatus { () throws(FormDecodeError) in
            _ = try FormDecoder.decode(body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        }
    case 6:
        checkStatus { () throws(FormDecodeError) in
            let fields = try FormDecoder.decode(body: input, contentType: "application/json")
            // Whatever decodes must survive a round trip through JSONWriter unchanged.
            let again = try FormDecoder.decode(body: JSONWriter.object(fields.all), contentType: "application/json")
            precondition(sortedPairs(fields) == sortedPairs(again), "JSON round trip changed the fields")
        }
    default:
        let split = input.firstIndex(of: 0) ?? input.count
        let name = String(decoding: input[..<split], as: UTF8.self)
        let header = split < input.count ? String(decoding: input[(split + 1)...], as: UTF8.self) : ""
        if let value = CookieParser.value(named: name, in: header) {
            precondition(!value.utf8.contains(0x3B), "a cookie value never spans a separator")
        }
    }
}

private func checkStatus(_ body: () throws(FormDecodeError) -> Void) {
    do {
        try body()
    } catch {
        precondition([400, 413, 415].contains(error.status) && !error.message.isEmpty)
    }
}

private func sortedPairs(_ fields: FormFields) -> [String] {
    fields.all.map { "\($0.name)\u{0}\($0.value)" }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
}
