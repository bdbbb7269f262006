extension Auth {
    // The throttles' answers as Auth's operations report them: counted, audited once per block.

    /// Spends one unit of the client's request budget; false (answered, counted, audited) when it is spent.
    func admitRequest<T>(email: String, client: ClientIdentity, _ finish: Finish<T>) -> Bool {
        switch throttling.admitRequest(client: client) {
        case .success(let endedBlocks):
            record(endedBlocks, email: email, client: client)
            return true
        case .failure(let refusal):
            counters.requestsThrottled.add(1, ordering: .relaxed)
            record(refusal, email: email, client: client)
            finish(.failure(.throttled(retryAfterSeconds: refusal.retryAfterSeconds)))
            return false
        }
    }

    /// Answers a login the throttles refused (this node's or the shared ones): counted, audited, 429.
    func refuseLogin<T>(_ refusal: LoginThrottling.Refusal, email: String, client: ClientIdentity, _ finish: Finish<T>)
    {
        counters.loginsThrottled.add(1, ordering: .relaxed)
        record(refusal, email: email, client: client)
        finish(.failure(.throttled(retryAfterSeconds: refusal.retryAfterSeconds)))
    }

    /// The audit line of a refusal: only the first of each block, which the closing line counts.
    func record(_ refusal: LoginThrottling.Refusal, email: String, client: ClientIdentity) {
        guard refusal.audited else { return }
        record(.throttled, email: email, client: client, reason: refusal.reason, count: 1)
    }

    /// The closing audit line of each block that ended, with the number of attempts it refused.
    func record(_ endedBlocks: [LoginThrottling.EndedBlock], email: String, client: ClientIdentity) {
        for block in endedBlocks where block.refusals > 1 {
            record(.throttleEnded, email: email, client: client, reason: block.reason, count: block.refusals)
        }
    }
}
