/// Decimal numbers written straight into a byte buffer, no String in between: the one number
/// formatter of response heads, dates, timestamps and log lines.
public enum DecimalWriter {
    /// Appends `value` in decimal, zero-padded to at least `width` digits (a minus sign before them).
    public static func append(_ value: Int, width: Int = 1, to out: inout [UInt8]) {
        // Most significant digit first, by the largest power of ten not above the value: no
        // scratch digits to reverse. About a third of the instructions of filling a tuple from
        // its end for the few digits of a status, a length or a clock field (callgrind).
        var remaining = value.magnitude
        var scale: UInt = 1
        var count = 1
        while remaining / scale >= 10 {
            scale &*= 10
            count += 1
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        for _ in count..<max(count, width) { out.append(0x30) }
        while scale > 0 {
            out.append(0x30 &+ UInt8(truncatingIfNeeded: remaining / scale))
            remaining %= scale
            scale /= 10
        }
    }
}
