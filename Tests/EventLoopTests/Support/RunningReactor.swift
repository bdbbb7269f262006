import EventLoop
import Foundation
import Synchronization

/// Runs a reactor on its own thread for one test; `setUp` runs first, on that loop thread.
final class RunningReactor: Sendable {
    let reactor: Reactor
    private let finished = DispatchSemaphore(value: 0)

    init(_ setUp: @escaping @Sendable (Reactor) throws -> Void = { _ in }) throws {
        let reactor = try Reactor()
        self.reactor = reactor
        let ready = DispatchSemaphore(value: 0)
        let finished = self.finished
        let thread = Thread {
            reactor.execute { ready.signal() }
            try? reactor.run()
            finished.signal()
        }
        thread.start()
        ready.wait()
        try onLoop { try setUp(reactor) }
    }

    /// Runs `body` on the loop thread and waits for its result.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        reactor.execute {
            box.set(Result { try body() })
            done.signal()
        }
        done.wait()
        return try box.get()
    }

    /// Stops the loop and waits for its thread to leave `run()`.
    func stop() {
        reactor.stop()
        finished.wait()
    }
}

/// A value handed from the loop thread to a waiting test thread.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var result: Result<T, any Error>?

    func set(_ value: Result<T, any Error>) { lock.withLock { result = value } }
    func get() throws -> T { try lock.withLock { result! }.get() }
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(2000)
    }
    return try condition()
}

/// A value shared between the loop thread and the test thread.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value { storage.withLock { $0 } }
    func update<R>(_ body: (inout Value) -> R) -> R { storage.withLock { body(&$0) } }
}
