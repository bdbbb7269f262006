/// Decimal numbers written straight into a byte buffer, no String in between: the one number
/// formatter of response heads, dates, timestamps and log lines.
public enum DecimalWriter {
    /// Appends `value` in decimal, zero-padded to at least `width` digits (a minus sign before them).
    public static func append(_ value: Int, width: Int = 1, to out: inout [UInt8]) {
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var remaining = value.magnitude
        var count = 0
        // Filled from the end, so the digits come out in order.
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(truncatingIfNeeded: 0x30 + remaining % 10)
                remaining /= 10
                count += 1
            } while remaining > 0 && count < 20
            if value < 0 { out.append(UInt8(ascii: "-")) }
            for _ in count..<max(count, width) { out.append(0x30) }
            // Byte by byte: for the few digits of a status or a length, a bulk append costs more (callgrind).
            for index in (20 - count)..<20 { out.append(buffer[index]) }
        }
    }
}
