import CCrypt

#if canImport(Glibc)
    import Glibc
#endif

/// bcrypt through libcrypt (libxcrypt): hashes as `$2b$<cost>$…` and verifies `$2a$`, `$2b$` and `$2y$`.
/// Not thread-safe: one per hash thread, because it owns the 32 KiB `crypt_data` scratch area it reuses.
final class PasswordHasher {
    /// bcrypt reads no more than this many bytes of a password.
    static let maximumPasswordBytes = 72
    /// The costs bcrypt accepts.
    static let costs = 4...31

    private let scratch = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)

    /// A hasher with its own zeroed scratch area (libcrypt asks for zeroes before first use).
    init() {
        UnsafeMutableRawPointer(scratch).initializeMemory(
            as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
    }

    deinit {
        scratch.deallocate()
    }

    /// A new `$2b$` hash of `password` at `cost` with a fresh random salt. Takes about 2^cost bcrypt rounds.
    func hash(_ password: String, cost: Int) throws(PasswordHasherError) -> String {
        guard password.utf8.count <= PasswordHasher.maximumPasswordBytes else { throw .passwordTooLong }
        guard !password.utf8.contains(0) else { throw .passwordContainsNUL }
        let setting = try PasswordHasher.makeSetting(cost: cost)
        guard let hash = crypt(password, setting: setting) else { throw .cryptFailed(errno) }
        return hash
    }

    /// Whether `password` hashes to `hash`; false for a malformed or non-bcrypt hash. Compares in constant time.
    func verify(_ password: String, against hash: String) -> Bool {
        // Only bcrypt: libcrypt would also accept DES or MD5 hashes, which the seed never wrote.
        guard hash.utf8.starts(with: "$2".utf8),
            password.utf8.count <= PasswordHasher.maximumPasswordBytes, !password.utf8.contains(0),
            let computed = crypt(password, setting: hash)
        else {
            return false
        }
        return PasswordHasher.constantTimeEqual(computed.utf8, hash.utf8)
    }

    /// A `$2b$` setting (prefix, cost and 16 random salt bytes encoded); verifying against it always fails
    /// but costs a full bcrypt run, which is what a login for an unknown email needs.
    static func makeSetting(cost: Int) throws(PasswordHasherError) -> String {
        guard costs.contains(cost) else { throw .costOutOfRange(cost) }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in CChar(truncatingIfNeeded: generator.next() as UInt8) }
        var output = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let result = crypt_gensalt_rn("$2b$", UInt(cost), salt, Int32(salt.count), &output, Int32(output.count))
        guard result != nil else { throw .cryptFailed(errno) }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The cost a bcrypt hash or setting names (`$2b$12$…` is 12); nil when it names none in `costs`.
    static func cost(of hash: String) -> Int? {
        let head = Array(hash.utf8.prefix(7))
        guard head.count == 7, head[0] == UInt8(ascii: "$"), head[1] == UInt8(ascii: "2"),
            head[3] == UInt8(ascii: "$"), head[6] == UInt8(ascii: "$")
        else { return nil }
        let digits = head[4...5]
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        let cost = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return costs.contains(cost) ? cost : nil
    }

    /// Whether `text` is a whole bcrypt hash as `verify` takes it: `$2a$`, `$2b$` or `$2y$`, a cost
    /// in `costs`, then 53 characters of bcrypt's base64 (22 of salt, 31 of hash).
    static func isBcryptHash(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 60, cost(of: text) != nil,
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2])
        else { return false }
        return bytes[7...].allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "/"):
                true
            default: false
            }
        }
    }

    private func crypt(_ password: String, setting: String) -> String? {
        guard let output = crypt_rn(password, setting, scratch, Int32(MemoryLayout<crypt_data>.size)) else {
            return nil
        }
        // libcrypt marks some failures with an output starting with "*" instead of returning NULL.
        guard output.pointee != 0x2A else { return nil }
        return String(cString: output)
    }

    private static func constantTimeEqual(_ left: String.UTF8View, _ right: String.UTF8View) -> Bool {
        var difference: UInt8 = left.count == right.count ? 0 : 1
        // Walk the stored hash's full length whatever the content, so timing says nothing about where they differ.
        var leftIndex = left.startIndex
        for byte in right {
            let other = leftIndex < left.endIndex ? left[leftIndex] : 0
            difference |= other ^ byte
            if leftIndex < left.endIndex { leftIndex = left.index(after: leftIndex) }
        }
        return difference == 0
    }
}
