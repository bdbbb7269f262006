/// When a mail the relay could not take now is tried again: soon at first, then doubling, never
/// less often than every `longestMilliseconds`, so a relay back after an outage gets the mail
/// within minutes, and a dead one costs one attempt per few minutes per mail.
struct RetrySchedule: Sendable, Equatable {
    /// The wait after the first failed attempt.
    var firstMilliseconds: Int64 = 2_000
    /// The longest wait between two attempts.
    var longestMilliseconds: Int64 = 300_000

    /// The wait after `attempts` failed attempts (1 or more): 2 s, 4 s, 8 s, ... up to 5 min.
    func delay(afterAttempts attempts: Int) -> Int64 {
        let doublings = min(max(attempts - 1, 0), 40)
        let (grown, overflow) = firstMilliseconds.multipliedReportingOverflow(by: Int64(1) << doublings)
        return overflow ? longestMilliseconds : min(grown, longestMilliseconds)
    }
}
