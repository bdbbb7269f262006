import HTTPParser

/// One observable outcome of the parser, comparable between feeding strategies.
enum Outcome: Equatable {
    case request(
        method: String, target: String, version: HTTPVersion, headers: [String], body: [UInt8], keepAlive: Bool,
        consumed: Int)
    case error(HTTPParseError)
    case needMore
}

func outcome(_ result: ParseResult) -> Outcome {
    switch result {
    case .needMore:
        return .needMore
    case .error(let error):
        precondition(error.status >= 400 && !error.message.isEmpty)
        return .error(error)
    case .request(let r, let consumed):
        return .request(
            method: r.method.name, target: r.target, version: r.version,
            headers: r.headers.all.map { "\($0.name): \($0.value)" }, body: r.body,
            keepAlive: r.keepAlive, consumed: consumed)
    }
}

/// Small limits in half of the runs so the fuzzer reaches every limit with short inputs.
func limits(small: Bool) -> ParserLimits {
    small
        ? ParserLimits(maxHeadBytes: 200, maxHeaderCount: 6, maxBodyBytes: 64, maxTargetBytes: 40)
        : ParserLimits()
}

/// Parses every request in `input` with the whole buffer available at once.
func parseWhole(_ input: [UInt8], limits: ParserLimits) -> [Outcome] {
    var parser = RequestParser(limits: limits)
    var start = 0
    var outcomes: [Outcome] = []
    while true {
        let result = input.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        let o = outcome(result)
        outcomes.append(o)
        guard case .request(_, _, _, _, _, _, let consumed) = o else { return outcomes }
        precondition(consumed > 0 && start + consumed <= input.count)
        start += consumed
    }
}

/// Parses the same input revealed a few bytes at a time, split sizes drawn from `splits`.
func parseSplit(_ input: [UInt8], limits: ParserLimits, splits: [UInt8]) -> [Outcome] {
    var parser = RequestParser(limits: limits)
    var start = 0
    var available = 0
    var next = 0
    var outcomes: [Outcome] = []
    while true {
        let step = splits.isEmpty ? 1 : Int(splits[next % splits.count] % 17) + 1
        next += 1
        available = min(input.count, available + step)
        while true {
            let result = input.withUnsafeBytes {
                parser.parse(UnsafeRawBufferPointer(rebasing: $0[start..<available]))
            }
            _ = parser.expectsContinue
            let o = outcome(result)
            switch o {
            case .needMore:
                if available == input.count {
                    outcomes.append(o)
                    return outcomes
                }
            case .error:
                outcomes.append(o)
                return outcomes
            case .request(_, _, _, _, _, _, let consumed):
                outcomes.append(o)
                start += consumed
                continue
            }
            break
        }
    }
}

/// Whole and split feeding must agree exactly.
func fuzzParser(_ data: [UInt8]) {
    guard data.count >= 2 else { return }
    let small = data[0] & 1 == 1
    let splitCount = Int(data[0] >> 1) % 8
    guard data.count > 1 + splitCount else { return }
    let splits = Array(data[1..<(1 + splitCount)])
    let input = Array(data[(1 + splitCount)...])
    let whole = parseWhole(input, limits: limits(small: small))
    let split = parseSplit(input, limits: limits(small: small), splits: splits)
    precondition(whole == split, "whole \(whole) != split \(split)")
}
