/// Decoded form fields in arrival order; a name may repeat and the first value wins on lookup.
public struct FormFields: Sendable {
    /// Every field in arrival order.
    public private(set) var all: [(name: String, value: String)]

    /// Fields given in arrival order (tests and callers that build forms by hand).
    public init(_ fields: [(name: String, value: String)] = []) {
        all = fields
    }

    /// The first value sent for `name` (as Flask's `request.form.get`), or nil.
    public subscript(name: String) -> String? {
        all.first { $0.name == name }?.value
    }

    /// Number of fields, repeats included.
    public var count: Int { all.count }

    mutating func append(name: String, value: String) {
        all.append((name, value))
    }
}
