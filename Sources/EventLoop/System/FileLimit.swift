import CLinux

extension Reactor {
    /// Raises the soft RLIMIT_NOFILE to the hard limit and returns the soft limit now in force
    /// (-1 if it cannot be read). Call once at start, from any thread.
    public static func raiseFileLimit() -> Int {
        var soft: UInt64 = 0
        var hard: UInt64 = 0
        guard clinux_get_nofile(&soft, &hard) == 0 else { return -1 }
        if soft < hard, clinux_set_nofile(hard, hard) == 0 { soft = hard }
        return Int(clamping: soft)
    }
}
