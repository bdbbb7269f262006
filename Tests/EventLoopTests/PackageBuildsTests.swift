import Testing
@testable import EventLoop

@Test func moduleLinks() {
    #expect(Bool(true))
}
