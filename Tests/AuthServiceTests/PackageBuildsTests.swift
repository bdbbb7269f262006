import Testing
@testable import AuthService

@Test func moduleLinks() {
    #expect(Bool(true))
}
