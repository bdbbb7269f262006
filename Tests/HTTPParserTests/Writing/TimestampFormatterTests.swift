import Testing

@testable import HTTPParser

/// The timestamps of audit and access lines.
@Suite struct TimestampFormatterTests {
    private func format(_ milliseconds: Int64, with formatter: inout TimestampFormatter) -> String {
        var out: [UInt8] = []
        formatter.append(milliseconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func millisecondsBecomeUTCWithThreeDecimals() {
        var formatter = TimestampFormatter()
        #expect(format(0, with: &formatter) == "1970-01-01T00:00:00.000Z")
        #expect(format(1_700_000_000_123, with: &formatter) == "2023-11-14T22:13:20.123Z")
        // Same second, cached prefix; then the next second is formatted afresh.
        #expect(format(1_700_000_000_999, with: &formatter) == "2023-11-14T22:13:20.999Z")
        #expect(format(1_700_000_001_005, with: &formatter) == "2023-11-14T22:13:21.005Z")
    }
}
