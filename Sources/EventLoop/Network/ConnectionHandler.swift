/// Receives a connection's events; every call is made on the reactor's loop thread.
public protocol ConnectionHandler: AnyObject {
    /// `input` is every unconsumed byte so far (earlier leftover first); return how many were
    /// consumed. The rest is offered again, prefixed to later input. While the handler keeps
    /// consuming and reading is not paused, what remains is offered again at once.
    func connection(_ connection: Connection, didRead input: UnsafeRawBufferPointer) -> Int
    /// The peer half-closed; the handler may still write, and should close when done.
    func connectionDidReachEOF(_ connection: Connection)
    /// The connection is gone (closed, aborted, reset or failed); called exactly once, last.
    func connectionDidClose(_ connection: Connection)
    /// All pending output has been written to the socket.
    func connectionDidDrain(_ connection: Connection)
}

extension ConnectionHandler {
    /// Default: nothing to do when output drains.
    public func connectionDidDrain(_ connection: Connection) {}
}
