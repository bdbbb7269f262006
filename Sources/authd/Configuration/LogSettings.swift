import Logging

/// What authd writes to stderr, one line an event; every kind of line follows `level`.
struct LogSettings: Sendable, Equatable {
    /// The lowest level written.
    var level = Logger.Level.info
    /// An access-log line per request, unless `--no-access-log`.
    var accessLog = true

    /// Access lines are info: written when asked for and `level` lets info through.
    var writesAccessLog: Bool { accessLog && level <= .info }
    /// Audit events are notices: written when `level` lets notices through.
    var writesAudit: Bool { level <= .notice }
}
