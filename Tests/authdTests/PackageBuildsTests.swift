import Testing
@testable import authd

@Test func moduleLinks() {
    #expect(Bool(true))
}
