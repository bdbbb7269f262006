import Testing
@testable import HTTPParser

@Test func moduleLinks() {
    #expect(Bool(true))
}
