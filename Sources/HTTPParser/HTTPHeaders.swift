/// Header fields of one message in arrival order; names match case-insensitively.
public struct HTTPHeaders: Sendable {
    @usableFromInline var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public var count: Int { fields.count }

    /// Appends a field, keeping any earlier field of the same name.
    public mutating func add(name: String, value: String) {
        fields.append((name, value))
    }

    /// The first value of `name`, compared case-insensitively.
    public func first(_ name: String) -> String? {
        for field in fields where Self.equalsIgnoringASCIICase(field.name, name) {
            return field.value
        }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.equalsIgnoringASCIICase($0.name, name) }.map(\.value)
    }

    /// All fields in arrival order.
    public var all: [(name: String, value: String)] { fields }

    static func equalsIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        var ia = a.utf8.makeIterator()
        var ib = b.utf8.makeIterator()
        while true {
            switch (ia.next(), ib.next()) {
            case (nil, nil): return true
            case let (x?, y?):
                if x != y && (x | 0x20) != (y | 0x20) { return false }
                if x != y && !((x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A) { return false }
            default: return false
            }
        }
    }
}
