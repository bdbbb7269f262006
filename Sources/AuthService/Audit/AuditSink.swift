/// Where Auth sends its audit records, the way Django sends `user_logged_in`: a listener that
/// must never block (records arrive on store and hash threads, in the middle of group commit).
/// Thread-safe.
public protocol AuditSink: Sendable {
    /// Takes one record; returns at once (queue it, do not write it here).
    func record(_ record: AuditRecord)
}

/// Drops every record: audit off, or tests that do not look.
public struct DiscardingAuditSink: AuditSink {
    /// A sink that keeps nothing.
    public init() {}

    public func record(_ record: AuditRecord) {}
}
