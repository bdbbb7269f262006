import EventLoop

/// Echoes everything; closes when the peer half-closes.
final class EchoHandler: ConnectionHandler {
    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        connection.write(input)
        return input.count
    }
    func connectionDidReachEOF(_ connection: Connection) { connection.close() }
    func connectionDidClose(_ connection: Connection) {}
}

/// Answers every complete line ("...\n") with "ok:<line>\n", leaving partial lines unconsumed.
final class LineAnswerHandler: ConnectionHandler {
    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int {
        guard let end = input.firstIndex(of: UInt8(ascii: "\n")) else { return 0 }
        connection.write(Array("ok:".utf8))
        connection.write(UnsafeRawBufferPointer(rebasing: input[...end]))
        return end + 1
    }
    func connectionDidReachEOF(_ connection: Connection) { connection.close() }
    func connectionDidClose(_ connection: Connection) {}
}
