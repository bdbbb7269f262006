/// One fd's entry in the reactor's table: its owner, and the generation its epoll events carry.
///
/// An fd closed while handling one batch of events can be reused at once (a new accept takes the
/// lowest free number), and events for the old owner may still follow in the same batch; the
/// generation tells them apart, as SwiftNIO's registration id does. 32 bits wrap only after four
/// billion registrations, far beyond the span of one batch.
struct Registration {
    let source: Source
    let generation: UInt32
}
