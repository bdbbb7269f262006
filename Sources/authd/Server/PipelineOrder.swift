import HTTPParser

/// When each pipelined request of one connection may start, and the requests held until then
/// (RFC 9112 §9.3.2: only requests with safe methods may be processed in parallel). An unsafe
/// request starts once every earlier one is answered; a request behind an unanswered unsafe one
/// waits for it; a safe request behind only safe ones starts at once. Loop thread only, like its
/// connection.
///
/// Requests are numbered in arrival order; "answered" is `written`, the number of answers written
/// so far (they leave in order). A held request is already parsed and numbered, so it counts as in
/// flight: the connection's in-flight bounds (a number, and bytes) and paused reading also bound
/// how many can wait, and what they hold.
///
/// A class, held by a `let`: its counters are then plain stored properties the optimizer proves
/// exclusive at compile time. As a struct inside the connection, every `arrive` and `isEmpty`
/// would cost a runtime exclusivity check (about 75 instructions each per request, callgrind).
final class PipelineOrder {
    /// A parsed request not started yet, with what the connection decided when it arrived.
    struct Held {
        var request: Request
        var sequence: UInt64
        var keepAlive: Bool
        /// CLOCK_MONOTONIC nanoseconds: the request's time counts from its arrival, wait included.
        var arrivedAt: UInt64
        /// It may start once this many answers are written.
        var startsAfter: UInt64
        /// Its wire bytes, which the connection counts as held until it is answered.
        var bytes: Int
    }

    /// One past the sequence of the latest unsafe request.
    private var barrier: UInt64 = 0
    /// First in, first out from `head`; the slots before `head` are dropped in batches.
    private var held: [Held] = []
    private var head = 0
    /// `held.count - head`, kept apart so the per-answer `isEmpty` reads a plain counter, not the
    /// array (whose accesses keep their runtime exclusivity checks).
    private var waiting = 0

    /// Records the arrival of request `sequence` and returns how many answers must be written
    /// before it may start: start it at once if that many are, else `hold` it.
    /// Safe: all before the latest unsafe request. Unsafe: all before it.
    @inline(__always)
    func arrive(_ method: HTTPMethod, sequence: UInt64) -> UInt64 {
        switch method {
        case .get, .head, .options, .trace:  // the safe methods of RFC 9110 §9.2.1
            return barrier
        default:
            barrier = sequence + 1
            return sequence
        }
    }

    /// Keeps a request that may not start yet, behind every request held already.
    func hold(_ request: Held) {
        held.append(request)
        waiting += 1
    }

    /// True when no request waits; for the check after every answer.
    var isEmpty: Bool { waiting == 0 }

    /// The oldest held request if it may start now that `written` answers are written; nil if none
    /// waits or the oldest must wait longer (those behind it then wait too).
    func next(written: UInt64) -> Held? {
        guard waiting > 0, held[head].startsAfter <= written else { return nil }
        let next = held[head]
        head += 1
        waiting -= 1
        if waiting == 0 {
            held.removeAll()
            head = 0
        } else if head >= 32 && head >= waiting {
            // A client that keeps pipelining may never let the queue empty: drop the started ones
            // (and the bodies they hold) in batches, so memory follows what still waits.
            held.removeFirst(head)
            head = 0
        }
        return next
    }

    /// Forgets every held request (the connection closed: nobody is left to answer).
    func removeAll() {
        held.removeAll()
        head = 0
        waiting = 0
    }
}
