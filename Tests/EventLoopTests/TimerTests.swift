import Foundation
import Testing

@testable import EventLoop

extension EventLoopTests {
    @Suite struct TimerTests {
        @Test func timersFireInDeadlineOrderAndCancelledOnesNever() throws {
            let fired = Shared<[Int]>([])
            let server = try RunningReactor { reactor in
                for delay in [50, 10, 30, 20, 40] {
                    let handle = reactor.schedule(after: delay) {
                        #expect(reactor.isInLoopThread)
                        fired.update { $0.append(delay) }
                    }
                    if delay == 30 { reactor.cancel(handle) }
                }
            }
            defer { server.stop() }
            #expect(eventually { fired.value.count == 4 })
            usleep(100_000)  // past every deadline: the cancelled one had its chance to misfire
            #expect(fired.value == [10, 20, 40, 50])
        }

        @Test(.timeLimit(.minutes(1)))
        func tenThousandArmedTimersAreCheapAndEachFiresOnce() throws {
            let fired = Shared(0)
            let misfired = Shared(0)
            let server = try RunningReactor()
            defer { server.stop() }
            let armingSeconds = try server.onLoop { () -> Double in
                let reactor = server.reactor
                let start = Date()
                var doomed: [TimerHandle] = []
                for index in 0..<10_000 {
                    let delay = 20 + (index * 7919) % 200  // scrambled deadlines
                    reactor.schedule(after: delay) { fired.update { $0 += 1 } }
                    doomed.append(reactor.schedule(after: delay) { misfired.update { $0 += 1 } })
                }
                for handle in doomed { reactor.cancel(handle) }
                return Date().timeIntervalSince(start)
            }
            #expect(armingSeconds < 1.0)  // 20 000 arms + 10 000 cancels; generous for a noisy debug build
            #expect(eventually { fired.value == 10_000 })
            usleep(50_000)
            #expect(fired.value == 10_000)
            #expect(misfired.value == 0)
        }

        @Test func heapPopsInDeadlineThenArmingOrderAndSkipsCancelled() {
            var heap = TimerHeap()
            var expected: [(deadline: UInt64, id: Int)] = []
            var cancelled: [TimerHandle] = []
            let popped = Shared<[Int]>([])
            for id in 0..<10_000 {
                let deadline = UInt64((id * 7919) % 500)
                let handle = heap.insert(deadline: deadline) { popped.update { $0.append(id) } }
                if id % 3 == 0 { cancelled.append(handle) } else { expected.append((deadline, id)) }
            }
            for handle in cancelled { heap.cancel(handle) }
            #expect(heap.count == expected.count)
            #expect(heap.pollTimeout(now: 0) == 0)
            while let callback = heap.popDue(now: 1000, sequenceLimit: .max) { callback() }
            let order = expected.sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }.map(\.id)
            #expect(popped.value.count == order.count)
            #expect(popped.value.elementsEqual(order))
            #expect(heap.pollTimeout(now: 0) == -1)
        }

        @Test func staleHandleCancelsNothing() throws {
            let fired = Shared(0)
            let server = try RunningReactor()
            defer { server.stop() }
            try server.onLoop {
                let reactor = server.reactor
                let first = reactor.schedule(after: 0) {}
                reactor.cancel(first)
                reactor.schedule(after: 10) { fired.update { $0 += 1 } }  // reuses the freed slot
                reactor.cancel(first)
            }
            #expect(eventually { fired.value == 1 })
        }
    }
}
