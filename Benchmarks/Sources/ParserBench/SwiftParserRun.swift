import HTTPParser

/// authd's RequestParser producing a full owned `Request` each time, as the server uses it.
struct SwiftParserRun {
    /// Parses `input` `iterations` times; returns a checksum so the work cannot be optimised away.
    func run(_ input: [UInt8], iterations: Int) -> Int {
        var parser = RequestParser()
        var checksum = 0
        input.withUnsafeBytes { bytes in
            for _ in 0..<iterations {
                guard case .request(let request, let consumed) = parser.parse(bytes), consumed == bytes.count else {
                    preconditionFailure("the benchmark input must parse")
                }
                checksum &+= request.headers.count &+ request.body.count
            }
        }
        return checksum
    }
}
