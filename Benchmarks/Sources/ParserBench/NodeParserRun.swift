import CNodeHTTPParser

/// Spans the C parser reports, recorded the way a server would keep them (no copies).
final class SpanRecorder {
    var spans = [(UnsafePointer<CChar>?, Int)](repeating: (nil, 0), count: 64)
    var count = 0
    var complete = false

    func record(_ at: UnsafePointer<CChar>?, _ length: Int) {
        if count < spans.count { spans[count] = (at, length) }
        count += 1
    }
}

private func recorder(_ parser: UnsafeMutablePointer<http_parser>?) -> SpanRecorder {
    Unmanaged<SpanRecorder>.fromOpaque(parser!.pointee.data).takeUnretainedValue()
}

/// nodejs/http-parser with callbacks that only record spans, as the C baseline.
struct NodeParserRun {
    private var settings = http_parser_settings()

    init() {
        let span: http_data_cb = { parser, at, length in
            recorder(parser).record(at, length)
            return 0
        }
        settings.on_url = span
        settings.on_header_field = span
        settings.on_header_value = span
        settings.on_body = span
        settings.on_message_complete = { parser in
            recorder(parser).complete = true
            return 0
        }
    }

    /// Parses `input` `iterations` times; returns a checksum so the work cannot be optimised away.
    func run(_ input: [UInt8], iterations: Int) -> Int {
        let spans = SpanRecorder()
        var parser = http_parser()
        var settings = settings
        var checksum = 0
        input.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { base in
                for _ in 0..<iterations {
                    http_parser_init(&parser, HTTP_REQUEST)
                    parser.data = Unmanaged.passUnretained(spans).toOpaque()
                    spans.count = 0
                    spans.complete = false
                    let parsed = http_parser_execute(&parser, &settings, base, bytes.count)
                    precondition(parsed == bytes.count && spans.complete && parser.http_errno == 0)
                    checksum &+= spans.count
                }
            }
        }
        return checksum
    }
}
