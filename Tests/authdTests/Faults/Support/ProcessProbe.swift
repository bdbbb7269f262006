import Foundation

/// Open file descriptors and resident memory of a running process, read from /proc.
enum ProcessProbe {
    static func openFiles(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// The fd count once it stops changing (closes still lingering have finished), within 20 s.
    static func settledOpenFiles(_ pid: Int32) -> Int {
        var previous = openFiles(pid)
        for _ in 0..<40 {
            usleep(500_000)
            let now = openFiles(pid)
            if now == previous { return now }
            previous = now
        }
        return previous
    }

    /// VmRSS in KiB; -1 if the process is gone.
    static func residentKiB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return -1 }
        return Int(line.split(separator: " ")[1]) ?? -1
    }
}
