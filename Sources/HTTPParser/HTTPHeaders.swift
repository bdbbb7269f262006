/// Header fields of one message in arrival order; names match case-insensitively.
///
/// Fields live as spans into one byte array so that a parsed request costs two allocations for
/// all its headers; Strings are made only when a value is asked for.
public struct HTTPHeaders: Sendable {
    /// Where one field's name and value sit in `bytes`.
    @usableFromInline struct FieldSpan: Sendable {
        @usableFromInline var nameStart: Int32
        @usableFromInline var nameCount: Int32
        @usableFromInline var valueStart: Int32
        @usableFromInline var valueCount: Int32
    }

    @usableFromInline var bytes: [UInt8]
    @usableFromInline var spans: [FieldSpan]

    /// Fields given by hand, in order.
    public init(_ fields: [(name: String, value: String)] = []) {
        bytes = []
        spans = []
        for field in fields { add(name: field.name, value: field.value) }
    }

    /// Wraps bytes the parser already validated, with spans relative to `bytes`.
    init(bytes: [UInt8], spans: [FieldSpan]) {
        self.bytes = bytes
        self.spans = spans
    }

    /// Number of fields, repeats included.
    public var count: Int { spans.count }

    /// Appends a field, keeping any earlier field of the same name.
    public mutating func add(name: String, value: String) {
        let nameStart = bytes.count
        bytes.append(contentsOf: name.utf8)
        let valueStart = bytes.count
        bytes.append(contentsOf: value.utf8)
        spans.append(
            FieldSpan(
                nameStart: Int32(nameStart), nameCount: Int32(valueStart - nameStart),
                valueStart: Int32(valueStart), valueCount: Int32(bytes.count - valueStart)))
    }

    /// The first value of `name`, compared case-insensitively.
    public func first(_ name: String) -> String? {
        guard let index = firstIndex(name) else { return nil }
        return value(at: index)
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        spans.indices.filter { nameMatches(at: $0, name) }.map { value(at: $0) }
    }

    /// The first non-nil `transform` of a value of `name`, in order; each value's bytes are read
    /// in place, without making a String of it. Inlinable, so it is specialized for the caller's
    /// `T`: generic across modules, each call went through value witnesses (callgrind).
    @inlinable
    public func firstValue<T>(of name: String, _ transform: (UnsafeRawBufferPointer) -> T?) -> T? {
        bytes.withUnsafeBytes { all in
            for index in spans.indices where nameMatches(at: index, name) {
                let span = spans[index]
                let start = Int(span.valueStart)
                if let found = transform(UnsafeRawBufferPointer(rebasing: all[start..<start + Int(span.valueCount)])) {
                    return found
                }
            }
            return nil
        }
    }

    /// Whether a field called `name` is present.
    public func contains(_ name: String) -> Bool {
        firstIndex(name) != nil
    }

    /// All fields in arrival order.
    public var all: [(name: String, value: String)] {
        spans.indices.map { (name: string(spans[$0].nameStart, spans[$0].nameCount), value: value(at: $0)) }
    }

    private func firstIndex(_ name: String) -> Int? {
        spans.indices.first { nameMatches(at: $0, name) }
    }

    private func value(at index: Int) -> String {
        string(spans[index].valueStart, spans[index].valueCount)
    }

    private func string(_ start: Int32, _ count: Int32) -> String {
        bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[Int(start)..<Int(start + count)]), as: UTF8.self)
        }
    }

    @usableFromInline
    func nameMatches(at index: Int, _ name: String) -> Bool {
        let span = spans[index]
        // Most names differ in length: a native String knows its UTF-8 count without a scan.
        guard Int(span.nameCount) == name.utf8.count else { return false }
        // Both sides compared in place: a UTF-8 iterator and checked array subscripts cost about
        // 300 instructions for the one name that matches (callgrind, the Cookie lookup).
        let compared: Bool? = name.utf8.withContiguousStorageIfAvailable { wanted in
            bytes.withUnsafeBufferPointer { all in
                let start = Int(span.nameStart)
                for offset in 0..<wanted.count
                where Self.foldASCII(wanted[offset]) != Self.foldASCII(all[start + offset]) {
                    return false
                }
                return true
            }
        }
        if let compared { return compared }
        var probe = name.utf8.makeIterator()
        var position = Int(span.nameStart)
        let end = position + Int(span.nameCount)
        while position < end {
            guard let b = probe.next(), Self.foldASCII(b) == Self.foldASCII(bytes[position]) else {
                return false
            }
            position += 1
        }
        return probe.next() == nil
    }

    @inlinable @inline(__always)
    static func foldASCII(_ b: UInt8) -> UInt8 {
        (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
    }
}
