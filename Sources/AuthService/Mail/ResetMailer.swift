import Glibc
import Logging
import Synchronization

/// The delivery thread of reset mails: takes what the outbox holds, sends it to the relay, and
/// records each outcome in the outbox. A mail the relay accepted is removed from the outbox by the
/// next store operation, run before QUIT: if authd dies between the relay's 250 and that commit
/// (a few milliseconds), the mail is sent again at the next start, the only way one can go twice.
/// A mail the relay defers (4xx, no answer, a closed connection, garbage) is tried again on the
/// `RetrySchedule` until its token expires; one it refuses (5xx) is dropped. At start every pending
/// mail is tried at once. After a request (a `wake`), the store sees the same work at the same times
/// whether the email was registered or not: the look at the outbox at once, then one write
/// `settleMilliseconds` later, the mail's removal (held until then if the relay was quicker) or,
/// when there was no mail, a removal of nothing of the same shape. Thread-safe: `wake` and
/// `shutdown` from any thread.
final class ResetMailer: Sendable {
    /// Totals for metrics, read from any thread.
    final class Counters: Sendable {
        /// Mails in the outbox at the last look (a gauge).
        let depth = Atomic<Int>(0)
        /// Mails the relay accepted.
        let sent = Atomic<Int>(0)
        /// Attempts that failed and were scheduled again.
        let retried = Atomic<Int>(0)
        /// Mails dropped unsent: refused (5xx), unsendable, or their token expired.
        let givenUp = Atomic<Int>(0)
    }

    /// What the delivery thread works with.
    struct Context: Sendable {
        var client: SMTPClient
        var settings: ResetMailSettings
        var store: any UserStore
        var audit: any AuditSink
        var logger: Logger
        var clock: @Sendable () -> Int64
        var schedule: RetrySchedule
        /// What opens the tokens the outbox keeps sealed (see `OutboxToken`).
        var keys: SealingKeyring?
    }

    let counters = Counters()
    private let signal = Signal()
    private let interruption = SMTPInterruption()
    private let thread: WorkerThread
    private let stopped = Atomic<Bool>(false)

    /// Starts the delivery thread, which at once tries every mail the outbox holds.
    init(_ context: Context) throws(WorkerThread.StartFailure) {
        let loop = DeliveryLoop(context: context, counters: counters, signal: signal, interruption: interruption)
        thread = try WorkerThread(name: "authd-mail") { loop.run() }
    }

    /// A mail may have been queued: look at the outbox now.
    func wake() {
        signal.wake()
    }

    /// Stops the thread and waits for it: a dialogue under way is cut, except while the relay's
    /// verdict on a whole mail is awaited (at most one timeout). Later calls return at once.
    func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        signal.stop()
        interruption.interrupt()
        thread.join()
    }

    /// The name this host gives in EHLO: its host name when that is a plain domain, else `localhost`.
    static func helloName() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let got = buffer.withUnsafeMutableBytes {
            gethostname($0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count - 1)
        }
        guard got == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
        let plain =
            !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: ".")
            }
        return plain ? name : "localhost"
    }

    /// Wake-ups of the delivery thread.
    final class Signal: @unchecked Sendable {
        private let lock = ConditionLock()
        // Guarded by `lock`.
        private var woken = false
        private var stopping = false

        var isStopping: Bool { lock.withLock { stopping } }

        func wake() {
            lock.withLock {
                woken = true
                lock.broadcast()
            }
        }

        func stop() {
            lock.withLock {
                stopping = true
                lock.broadcast()
            }
        }

        /// Waits up to `milliseconds` unless woken (since the last sleep) or stopped; whether it was woken.
        func sleep(milliseconds: Int64) -> Bool {
            lock.withLock {
                if !woken && !stopping && milliseconds > 0 { _ = lock.wait(milliseconds: Int(milliseconds)) }
                defer { woken = false }
                return woken
            }
        }

        /// Waits until `deadline` on `clock` unless stopped; a wake meanwhile is kept for the next `sleep`.
        func pause(until deadline: Int64, clock: @Sendable () -> Int64) {
            lock.withLock {
                while !stopping {
                    let left = deadline - clock()
                    guard left > 0 else { return }
                    _ = lock.wait(milliseconds: Int(left))
                }
            }
        }
    }
}

/// The delivery thread's loop; its state lives on that thread alone.
private struct DeliveryLoop: Sendable {
    /// Mails taken per look at the outbox.
    static let batch = 64
    /// How long to wait before looking again after the store failed.
    static let storeRetryMilliseconds: Int64 = 2_000
    /// The longest sleep: the wall clock may step, so the thread looks again at least this often.
    static let longestSleepMilliseconds: Int64 = 60_000
    /// How long after a request its settling write comes: longer than a local relay's dialogue, so a
    /// sent mail's removal waits for it, short enough that a crash in between (which sends that mail
    /// again at the next start) stays unlikely.
    static let settleMilliseconds: Int64 = 250

    let context: ResetMailer.Context
    let counters: ResetMailer.Counters
    let signal: ResetMailer.Signal
    let interruption: SMTPInterruption

    func run() {
        // Mails finished (accepted, refused, expired) whose removal from the outbox failed: never
        // tried again by this process, and removed as soon as the store takes it.
        var finishedUnrecorded: Set<Int64> = []
        var startRound = true
        var pausedUntil: Int64?
        var storeFailing = false
        // When a request woke the thread, the time its settling write is due.
        var settleAt: Int64?
        while !signal.isStopping {
            finishedUnrecorded = finishedUnrecorded.filter { id in
                if case .success = wait({ context.store.removeResetMail(id: id, completion: $0) }) { return false }
                return true
            }
            let now = context.clock()
            if let until = pausedUntil, now >= until { pausedUntil = nil }
            // The first look takes every pending mail, whatever its schedule said before the restart.
            let looked = wait {
                context.store.pendingResetMails(dueAt: startRound ? nil : now, limit: Self.batch, completion: $0)
            }
            guard case let .success(snapshot) = looked else {
                if !storeFailing, case let .failure(error) = looked {
                    context.logger.error("reset mail outbox unreadable; trying again", metadata: ["error": "\(error)"])
                }
                storeFailing = true
                settleAt = nil
                _ = signal.sleep(milliseconds: Self.storeRetryMilliseconds)
                continue
            }
            storeFailing = false
            startRound = false
            counters.depth.store(snapshot.pending, ordering: .relaxed)
            // While the relay is thought down, only mails never tried yet get their attempt: a new
            // request is not kept waiting by an old outage, and the others wait for the relay.
            let due = snapshot.due.filter {
                !finishedUnrecorded.contains($0.id) && (pausedUntil == nil || $0.attempts == 0)
            }
            if !due.isEmpty {
                for mail in due {
                    guard !signal.isStopping else { return }
                    // Several nodes: the batch may outlast its claim, and another node then takes
                    // what is left; each mail goes only while its claim is still ours. Not renewed
                    // while half its lease is left: a request's mail costs no write more than an
                    // unknown email's.
                    if let claimedUntil = snapshot.claimedUntil,
                        claimedUntil - context.clock() < (claimedUntil - now) / 2
                    {
                        let renewed = wait {
                            context.store.renewResetMailClaim(id: mail.id, claimedUntil: claimedUntil, completion: $0)
                        }
                        guard case .success(true) = renewed else { continue }
                    }
                    let relayDownUntil = deliver(mail, settleAt: settleAt, finishedUnrecorded: &finishedUnrecorded)
                    if let relayDownUntil {
                        pausedUntil = relayDownUntil
                        break
                    }
                }
                settleAt = nil
                continue
            }
            if let due = settleAt {
                // No mail for the request that woke the thread (an unknown email, or one past its
                // limit): the write a mail's removal makes, at the time it makes it.
                settleAt = nil
                signal.pause(until: due, clock: context.clock)
                _ = wait { context.store.removeResetMail(id: 0, completion: $0) }
                continue
            }
            let wakeAt = pausedUntil ?? snapshot.nextAttemptAt ?? (now + Self.longestSleepMilliseconds)
            if signal.sleep(milliseconds: min(max(wakeAt - now, 0), Self.longestSleepMilliseconds)) {
                settleAt = context.clock() + Self.settleMilliseconds
            }
        }
    }

    /// One attempt at `mail`, its removal once accepted held until `settleAt` (when a request woke
    /// the thread); when the relay as a whole failed (or the outbox could not record the failure),
    /// when to try again.
    private func deliver(_ mail: OutboxMail, settleAt: Int64?, finishedUnrecorded: inout Set<Int64>) -> Int64? {
        let now = context.clock()
        guard now < mail.expiresAt else {
            giveUp(
                mail, reason: "expired", detail: "the token expired after \(mail.attempts) attempts",
                &finishedUnrecorded)
            return nil
        }
        var readable = mail
        guard
            let token = OutboxToken.readable(
                mail.token, createdAt: mail.createdAt, expiresAt: mail.expiresAt, keys: context.keys)
        else {
            giveUp(
                mail, reason: "unsealable", detail: "no --secret-key-file opens the sealed token", &finishedUnrecorded)
            return nil
        }
        readable.token = token
        let message: [UInt8]
        do {
            message = try ResetMail.message(for: readable, settings: context.settings, now: now)
        } catch {
            giveUp(mail, reason: "unsendable", detail: "the mail cannot be written: \(error)", &finishedUnrecorded)
            return nil
        }
        var recorded = false
        let result = context.client.send(
            from: context.settings.from, to: mail.recipient, message: message, interruption: interruption
        ) {
            // Right after the relay's 250 (or at the request's settling time): the smaller this gap,
            // the smaller the chance of a second mail.
            if let settleAt { signal.pause(until: settleAt, clock: context.clock) }
            if case .success = wait({ context.store.removeResetMail(id: mail.id, completion: $0) }) { recorded = true }
        }
        let attempts = mail.attempts + 1
        switch result {
        case .success:
            if !recorded { finishedUnrecorded.insert(mail.id) }
            counters.sent.add(1, ordering: .relaxed)
            counters.depth.subtract(1, ordering: .relaxed)
            record(.resetMailSent, mail, count: attempts)
            context.logger.info("reset mail sent", metadata: ["user_id": "\(mail.userID)", "attempts": "\(attempts)"])
            return nil
        case let .failure(failure) where failure.isPermanent:
            giveUp(mail, reason: failure.reason, detail: failure.description, attempts: attempts, &finishedUnrecorded)
            return nil
        case let .failure(failure):
            // Cut short by a shutdown: the mail stays as it was, for the next start.
            guard !interruption.isInterrupted else { return nil }
            let next = min(context.clock() + context.schedule.delay(afterAttempts: attempts), mail.expiresAt)
            let deferred = wait {
                context.store.deferResetMail(id: mail.id, attempts: attempts, nextAttemptAt: next, completion: $0)
            }
            counters.retried.add(1, ordering: .relaxed)
            context.logger.warning(
                "reset mail deferred",
                metadata: [
                    "user_id": "\(mail.userID)", "attempt": "\(attempts)", "reason": "\(failure)",
                    "retry_in_ms": "\(max(0, next - context.clock()))",
                ])
            // Unrecorded, the mail would stay due: it waits like the relay instead of being tried again at once.
            if case .failure = deferred { return next }
            return failure.isRelayWide ? next : nil
        }
    }

    /// Drops `mail` unsent, with its token, and says so.
    private func giveUp(
        _ mail: OutboxMail, reason: String, detail: String, attempts: Int? = nil, _ finishedUnrecorded: inout Set<Int64>
    ) {
        if case .failure = wait({ context.store.removeResetMail(id: mail.id, completion: $0) }) {
            finishedUnrecorded.insert(mail.id)
        }
        counters.givenUp.add(1, ordering: .relaxed)
        counters.depth.subtract(1, ordering: .relaxed)
        record(.resetMailFailed, mail, reason: reason, count: attempts ?? mail.attempts)
        context.logger.error(
            "reset mail given up",
            metadata: [
                "user_id": "\(mail.userID)", "reason": "\(reason)", "detail": "\(detail)",
                "attempts": "\(attempts ?? mail.attempts)",
            ])
    }

    private func record(_ event: AuditEvent, _ mail: OutboxMail, reason: String? = nil, count: Int) {
        context.audit.record(
            AuditRecord(
                event: event, time: context.clock(), userID: mail.userID, email: nil,
                client: ClientIdentity(address: mail.requestedBy), reason: reason, count: count))
    }

    /// Runs a store operation and waits for its result (this thread has nothing else to do meanwhile).
    private func wait<T: Sendable>(_ operation: (@escaping StoreCompletion<T>) -> Void) -> Result<T, StoreError> {
        let result = Awaited<Result<T, StoreError>>()
        operation { result.put($0) }
        return result.take()
    }
}
