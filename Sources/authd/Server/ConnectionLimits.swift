/// How many client connections the public listeners hold, in all and per client, and what a new
/// connection past a cap gets: the oldest idle keep-alive connection is closed to make room, and
/// when none is idle the newcomer gets a short 503. One client holding every connection it may
/// therefore never keeps another out. Loop thread only.
final class ConnectionLimits {
    /// Why a connection was refused or made room for (the `/metrics` label).
    enum Reason: String, CaseIterable {
        /// The process-wide cap (`--max-connections`).
        case total
        /// The per-client cap (`--max-connections-per-client`).
        case client
    }

    let maximum: Int
    let perClient: Int
    private(set) var open = 0
    private var byClient: [String: Int] = [:]
    /// Newcomers refused, by reason.
    private(set) var refused: [Reason: Int] = [:]
    /// Idle connections closed to make room, by reason.
    private(set) var idleClosed: [Reason: Int] = [:]
    /// True while a cap is being hit: one log line per episode, not per refusal.
    private var inEpisode: Set<Reason> = []

    init(maximum: Int, perClient: Int) {
        self.maximum = maximum
        self.perClient = perClient
    }

    /// The cap a new connection of `client` would pass, if any (nil: it meets the total only).
    func exceeded(by client: String?) -> Reason? {
        if open >= maximum { return .total }
        if let client, isFull(client) { return .client }
        return nil
    }

    /// Whether `client` holds as many connections as it may.
    func isFull(_ client: String) -> Bool {
        byClient[client, default: 0] >= perClient
    }

    /// Counts a new connection, under `client` too unless it is nil.
    func opened(_ client: String?) {
        open += 1
        if let client { assign(client) }
    }

    /// Counts an open connection that so far met the total cap alone under `client` as well (its
    /// PROXY header has just named it).
    func assign(_ client: String) {
        byClient[client, default: 0] += 1
    }

    func closed(_ client: String?) {
        open -= 1
        if let client {
            let left = byClient[client, default: 1] - 1
            byClient[client] = left > 0 ? left : nil
        }
        if open < maximum { inEpisode.remove(.total) }
    }

    /// Counts a refusal; true for the first of an episode (worth a log line).
    func noteRefused(_ reason: Reason) -> Bool {
        refused[reason, default: 0] += 1
        return inEpisode.insert(reason).inserted
    }

    func noteIdleClosed(_ reason: Reason) {
        idleClosed[reason, default: 0] += 1
    }

    /// The per-client episode ends once that client is back under its cap.
    func clientBelowCap(_ client: String?) {
        if let client, !isFull(client) { inEpisode.remove(.client) }
    }
}
