import Dispatch
import Synchronization
import Testing

@testable import AuthService

/// The hash pool's queue: clients in turn, a total bound and a per-client one, close and drain.
@Suite struct FairJobQueueTests {
    /// Pushes each job under the client named by its first letter; the outcomes in order.
    private static func push(_ queue: FairJobQueue<String>, _ jobs: [String]) -> [Bool] {
        jobs.map { queue.push($0, client: String($0.prefix(1))) }
    }

    /// Takes `count` jobs (there must be that many waiting, or the queue must be closed).
    private static func pop(_ queue: FairJobQueue<String>, _ count: Int) -> [String?] {
        (0..<count).map { _ in queue.pop() }
    }

    @Test func clientsWithJobsWaitingAreServedInTurn() {
        let queue = FairJobQueue<String>(limit: 64)
        #expect(Self.push(queue, ["a1", "a2", "a3", "b1", "c1", "b2"]).allSatisfy { $0 })
        #expect(queue.count == 6)
        #expect(Self.pop(queue, 6) == ["a1", "b1", "c1", "a2", "b2", "a3"])
        #expect(queue.count == 0)
    }

    @Test func aClientArrivingDuringAFloodWaitsOneJobPerClientAhead() {
        let queue = FairJobQueue<String>(limit: 256)
        #expect(Self.push(queue, (1...100).map { "a\($0)" }).allSatisfy { $0 })
        #expect(Self.pop(queue, 2) == ["a1", "a2"])
        #expect(Self.push(queue, ["b1"]) == [true])
        #expect(Self.pop(queue, 3) == ["a3", "b1", "a4"])
        // Its lane emptied: a client coming back joins at the end of the turns, like a new one.
        #expect(Self.push(queue, ["b2"]) == [true])
        #expect(Self.pop(queue, 2) == ["a5", "b2"])
    }

    @Test func refusesPastTheLimitAndOneClientPastHalfOfIt() {
        let queue = FairJobQueue<String>(limit: 5)
        // Half of 5, rounded up: one client may hold 3.
        #expect(Self.push(queue, ["a1", "a2", "a3", "a4"]) == [true, true, true, false])
        #expect(Self.push(queue, ["b1", "b2", "c1"]) == [true, true, false])
        #expect(queue.count == 5)
        #expect(Self.pop(queue, 1) == ["a1"])
        #expect(Self.push(queue, ["c1", "c2"]) == [true, false])
        let one = FairJobQueue<String>(limit: 1)
        #expect(Self.push(one, ["a1", "b1"]) == [true, false])
        let none = FairJobQueue<String>(limit: 0)
        #expect(Self.push(none, ["a1"]) == [false])
    }

    @Test func closeRefusesNewJobsAndDrainsTheRestInTurnThenNil() {
        let queue = FairJobQueue<String>(limit: 64)
        #expect(Self.push(queue, ["a1", "a2", "b1"]).allSatisfy { $0 })
        queue.close()
        #expect(Self.push(queue, ["c1", "a3"]) == [false, false])
        #expect(Self.pop(queue, 4) == ["a1", "b1", "a2", nil])
    }

    @Test func aWaitingWorkerGetsTheNextJobOrNilAtClose() {
        let queue = FairJobQueue<String>(limit: 64)
        let got = DispatchSemaphore(value: 0)
        let taken = Mutex<[String?]>([])
        for _ in 0..<2 {
            DispatchQueue.global().async {
                let job = queue.pop()
                taken.withLock { $0.append(job) }
                got.signal()
            }
        }
        #expect(Self.push(queue, ["a1"]) == [true])
        got.wait()
        #expect(taken.withLock { $0 } == ["a1"])
        queue.close()
        got.wait()
        #expect(taken.withLock { $0 } == ["a1", nil])
    }
}
