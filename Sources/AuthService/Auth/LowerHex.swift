/// Lower-case hex digits, computed rather than looked up: a static table costs a lazy-global
/// check and a bounds check per digit, about 1,000 instructions for a 64-digit digest (callgrind).
enum LowerHex {
    /// The ASCII digit of the low four bits of `nibble` (`0`…`9`, `a`…`f`).
    @inline(__always)
    static func digit(_ nibble: UInt8) -> UInt8 {
        let value = nibble & 0x0f
        return value < 10 ? 0x30 &+ value : 0x57 &+ value
    }
}
