#if canImport(Glibc)
    import Glibc
#endif

/// A joinable POSIX thread running one closure: the store thread and each hash thread.
/// `join()` may be called once, from any other thread.
final class WorkerThread: Sendable {
    /// The thread could not be created (`pthread_create`'s error number).
    struct StartFailure: Error {
        var name: String
        var code: Int32
    }

    private final class Start {
        let body: @Sendable () -> Void
        init(body: @escaping @Sendable () -> Void) {
            self.body = body
        }
    }

    private let handle: pthread_t

    /// Starts `body` on a new thread; `name` only identifies it in a start failure.
    init(name: String, body: @escaping @Sendable () -> Void) throws(StartFailure) {
        let start = Unmanaged.passRetained(Start(body: body))
        var handle = pthread_t()
        let code = pthread_create(
            &handle, nil,
            { argument in
                let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
                start.body()
                return nil
            }, start.toOpaque())
        guard code == 0 else {
            start.release()
            throw StartFailure(name: name, code: code)
        }
        self.handle = handle
    }

    /// Blocks until the thread's closure has returned.
    func join() {
        pthread_join(handle, nil)
    }
}
