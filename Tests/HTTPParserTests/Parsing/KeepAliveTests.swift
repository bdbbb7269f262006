import HTTPParser
import Testing

@Suite struct KeepAliveTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let version: String
        let connection: String?
        let keepAlive: Bool
        var testDescription: String { "\(version) Connection: \(connection ?? "-") → \(keepAlive)" }
    }

    static let matrix: [Case] = [
        Case(version: "1.1", connection: nil, keepAlive: true),
        Case(version: "1.1", connection: "close", keepAlive: false),
        Case(version: "1.1", connection: "Close", keepAlive: false),
        Case(version: "1.1", connection: "keep-alive", keepAlive: true),
        Case(version: "1.1", connection: "Upgrade, CLOSE", keepAlive: false),
        Case(version: "1.1", connection: "closed", keepAlive: true),
        Case(version: "1.0", connection: nil, keepAlive: false),
        Case(version: "1.0", connection: "keep-alive", keepAlive: true),
        Case(version: "1.0", connection: "Keep-Alive", keepAlive: true),
        Case(version: "1.0", connection: "foo , keep-alive", keepAlive: true),
        Case(version: "1.0", connection: "keep-alive, close", keepAlive: false),
        Case(version: "1.0", connection: "close", keepAlive: false),
    ]

    @Test(arguments: matrix)
    func connectionPersistenceFollowsVersionAndConnectionTokens(_ c: Case) throws {
        let connection = c.connection.map { "Connection: \($0)\r\n" } ?? ""
        let request = try #require(parseOne("GET / HTTP/\(c.version)\r\nHost: a\r\n\(connection)\r\n"))
        #expect(request.keepAlive == c.keepAlive)
    }
}
