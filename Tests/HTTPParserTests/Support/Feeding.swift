import HTTPParser

/// A parse outcome reduced to comparable values, so whole and split feeding can be compared.
enum Outcome: Equatable, CustomStringConvertible {
    case request(method: String, target: String, headers: [String], body: [UInt8], keepAlive: Bool, consumed: Int)
    case error(HTTPParseError)
    case needMore

    init(_ result: ParseResult) {
        switch result {
        case .needMore: self = .needMore
        case .error(let error): self = .error(error)
        case .request(let r, let consumed):
            self = .request(
                method: r.method.name, target: r.target,
                headers: r.headers.all.map { "\($0.name): \($0.value)" }, body: r.body,
                keepAlive: r.keepAlive, consumed: consumed)
        }
    }

    var description: String {
        switch self {
        case .needMore: "needMore"
        case .error(let e): "error(\(e))"
        case .request(let m, let t, _, let b, let k, let c):
            "request(\(m) \(t) body:\(b.count) keepAlive:\(k) consumed:\(c))"
        }
    }
}

/// Parses every request in `bytes` with all of them available at once.
func parseWhole(_ bytes: [UInt8], limits: ParserLimits = ParserLimits()) -> [Outcome] {
    feed(bytes, cuts: [], limits: limits)
}

/// Parses `text` revealed in pieces ending at each offset in `cuts`, then the rest.
func feed(_ bytes: [UInt8], cuts: [Int], limits: ParserLimits = ParserLimits()) -> [Outcome] {
    var parser = RequestParser(limits: limits)
    var outcomes: [Outcome] = []
    var start = 0
    for available in cuts.filter({ $0 < bytes.count }) + [bytes.count] {
        while true {
            let outcome = bytes.withUnsafeBytes {
                Outcome(parser.parse(UnsafeRawBufferPointer(rebasing: $0[start..<available])))
            }
            switch outcome {
            case .needMore:
                break
            case .error:
                return outcomes + [outcome]
            case .request(_, _, _, _, _, let consumed):
                outcomes.append(outcome)
                start += consumed
                continue
            }
            break
        }
    }
    return outcomes + [.needMore]
}

/// Parses exactly one complete request from `text`, or returns nil.
func parseOne(_ text: String, limits: ParserLimits = ParserLimits()) -> Request? {
    var parser = RequestParser(limits: limits)
    let bytes = Array(text.utf8)
    if case .request(let request, let consumed) = bytes.withUnsafeBytes({ parser.parse($0) }),
        consumed == bytes.count
    {
        return request
    }
    return nil
}

/// The error one complete message produces, or nil when it parses (or needs more).
func parseError(_ text: String, limits: ParserLimits = ParserLimits()) -> HTTPParseError? {
    var parser = RequestParser(limits: limits)
    if case .error(let error) = Array(text.utf8).withUnsafeBytes({ parser.parse($0) }) { return error }
    return nil
}
