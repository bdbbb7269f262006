import Testing

@testable import HTTPParser

/// The one decimal formatter: padding, signs, the extremes.
@Suite struct DecimalWriterTests {
    private func written(_ value: Int, width: Int = 1) -> String {
        var out: [UInt8] = []
        DecimalWriter.append(value, width: width, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func digitsArePaddedToTheWidthAsked() {
        #expect(written(7, width: 3) == "007")
        #expect(written(1_234_567) == "1234567")
        #expect(written(0) == "0")
        #expect(written(1234, width: 2) == "1234")
    }

    @Test func negativesAndTheExtremesKeepEveryDigit() {
        #expect(written(-42) == "-42")
        #expect(written(Int.max) == String(Int.max))
        #expect(written(Int.min) == String(Int.min))
    }
}
