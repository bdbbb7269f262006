// A fixed-answer HTTP-looking server on one reactor thread, for comparing the reactor with nginx:
// every request head ("\r\n\r\n") gets the same canned 200 response on a keep-alive connection.
// Usage: ReactorBench [port]   (prints "listening PORT" once ready; SIGINT/SIGTERM stop it)
import EventLoop
import Glibc

/// Same shape and size as nginx's `return 200 '{"status":"ok"}'` answer in run-reactor-bench.sh.
let cannedResponse = Array(
    ("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 02:00:00 GMT\r\n"
        + "Content-Type: application/json\r\nContent-Length: 15\r\nConnection: keep-alive\r\n\r\n"
        + "{\"status\":\"ok\"}").utf8)

/// Answers each complete request head with `cannedResponse`; keeps a partial head for later.
final class CannedAnswerHandler: ConnectionHandler {
    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        var consumed = 0
        var index = 3
        while index < input.count {
            if input[index] == 10, input[index - 1] == 13, input[index - 2] == 10, input[index - 3] == 13 {
                cannedResponse.withUnsafeBytes { connection.write($0) }
                consumed = index + 1
                index += 4
            } else {
                index += 1
            }
        }
        return consumed
    }

    func connectionDidReachEOF(_ connection: Connection) { connection.close() }
    func connectionDidClose(_ connection: Connection) {}
}

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8080 : 8080
_ = Reactor.raiseFileLimit()
do {
    let reactor = try Reactor()
    try reactor.onSignals([SIGINT, SIGTERM]) { _ in reactor.stop() }
    let handler = CannedAnswerHandler()  // stateless, so one instance serves every connection
    let listener = try reactor.listen(host: "127.0.0.1", port: port) { $0.handler = handler }
    print("listening \(listener.port)")
    fflush(nil)  // the script waits for this line
    try reactor.run()
    let counters = reactor.counters
    print(
        "accepted \(counters.accepted) bytesIn \(counters.bytesIn) bytesOut \(counters.bytesOut) pollCycles \(counters.pollCycles)"
    )
} catch {
    print("ReactorBench: \(error)")
    exit(1)
}
