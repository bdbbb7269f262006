import EventLoop
import Foundation
import Testing

extension EventLoopTests {
    @Suite struct TaskQueueTests {
        @Test(.timeLimit(.minutes(1)))
        func tasksFromFourThreadsArriveExactlyOnceOnTheLoopThread() throws {
            let perThread = 10_000
            let seen = Shared([Int](repeating: 0, count: 4 * perThread))
            let offLoop = Shared(0)
            let server = try RunningReactor()
            defer { server.stop() }
            let reactor = server.reactor
            DispatchQueue.concurrentPerform(iterations: 4) { thread in
                for index in 0..<perThread {
                    let id = thread * perThread + index
                    reactor.execute {
                        if !reactor.isInLoopThread { offLoop.update { $0 += 1 } }
                        seen.update { $0[id] += 1 }
                    }
                }
            }
            #expect(eventually { seen.value.reduce(0, +) == 4 * perThread })
            usleep(20_000)
            #expect(seen.value.allSatisfy { $0 == 1 })
            #expect(offLoop.value == 0)
        }

        @Test func burstOfThousandCompletionsCostsAFewWakeups() throws {
            let server = try RunningReactor()
            defer { server.stop() }
            let reactor = server.reactor
            let ran = Shared(0)
            let release = DispatchSemaphore(value: 0)
            let before = try server.onLoop { reactor.counters }
            reactor.execute { release.wait() }  // hold the loop busy while the burst is queued
            DispatchQueue.global().sync {
                for _ in 0..<1000 { reactor.execute { ran.update { $0 += 1 } } }
            }
            release.signal()
            #expect(eventually { ran.value == 1000 })
            let after = try server.onLoop { reactor.counters }
            // The blocker, the burst and the onLoop calls: not one per completion.
            #expect(after.wakeups - before.wakeups <= 5)
            #expect(after.wakeupSignals - before.wakeupSignals <= 5)
        }

        @Test func cycleEndHookRunsOnTheLoopAfterEveryCycle() throws {
            let server = try RunningReactor()
            defer { server.stop() }
            let reactor = server.reactor
            let runs = Shared(0)
            let offLoop = Shared(0)
            let registeredIn = try server.onLoop {
                reactor.onCycleEnd {
                    if !reactor.isInLoopThread { offLoop.update { $0 += 1 } }
                    runs.update { $0 += 1 }
                }
                return reactor.counters.pollCycles
            }
            for _ in 0..<10 { try server.onLoop {} }
            // Read during a cycle whose hook has not run yet: every earlier cycle's has, once.
            let (cycles, ran) = try server.onLoop { (reactor.counters.pollCycles, runs.value) }
            #expect(ran == cycles - registeredIn)
            #expect(ran >= 10)
            #expect(offLoop.value == 0)
        }

        @Test func stopFromAnotherThreadEndsRun() throws {
            let server = try RunningReactor()
            server.stop()  // returns only once run() has returned
            #expect(!server.reactor.isInLoopThread)
        }

        @Test func loopBoundValueCarriesBackToTheLoop() throws {
            let server = try RunningReactor()
            defer { server.stop() }
            let reactor = server.reactor
            let bound = try server.onLoop { LoopBound(NonSendableCounter(), reactor: reactor) }
            let result = Shared(0)
            DispatchQueue.global().sync {
                reactor.execute {
                    bound.value.count += 41
                    bound.value.count += 1
                    result.update { $0 = bound.value.count }
                }
            }
            #expect(eventually { result.value == 42 })
        }
    }
}

final class NonSendableCounter {
    var count = 0
}
