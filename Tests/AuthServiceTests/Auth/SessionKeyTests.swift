import Foundation
import Testing

@testable import AuthService

/// `Auth.sessionKey(_:on:)`, which a connection's remembered key may answer: always the key
/// `secretKey(for:)` makes of the bytes given, whatever the connection sent before.
@Suite struct SessionKeyTests {
    private func key(_ sessionID: String, _ auth: Auth, on connection: ClientConnection?) -> SecretKey {
        Array(sessionID.utf8).withUnsafeBytes { auth.sessionKey($0, on: connection) }
    }

    @Test func aRememberedKeyIsTheKeyOfTheBytesGiven() throws {
        let auth = try Auth(store: InMemoryUserStore(), configuration: AuthConfiguration(bcryptCost: 4, hashThreads: 1))
        defer { auth.shutdown() }
        let connection = ClientConnection()
        let seedShaped = UUID().uuidString.lowercased()
        let other = UUID().uuidString.lowercased()
        for sessionID in [seedShaped, seedShaped, other, seedShaped, "not-a-uuid", "not-a-uuid", other] {
            let made = key(sessionID, auth, on: connection)
            #expect(made == auth.secretKey(for: sessionID), "\(sessionID)")
            #expect(made == key(sessionID, auth, on: nil))
        }
        #expect(key(seedShaped, auth, on: connection).legacy == seedShaped)
        #expect(key("not-a-uuid", auth, on: connection).legacy == nil)
    }

    @Test func aKeyRememberedInOneModeIsNotGivenInTheOther() throws {
        var plainConfiguration = AuthConfiguration(bcryptCost: 4, hashThreads: 1)
        plainConfiguration.storesPlainTokens = true
        let digesting = try Auth(
            store: InMemoryUserStore(), configuration: AuthConfiguration(bcryptCost: 4, hashThreads: 1))
        let plain = try Auth(store: InMemoryUserStore(), configuration: plainConfiguration)
        defer {
            digesting.shutdown()
            plain.shutdown()
        }
        let connection = ClientConnection()
        let sessionID = UUID().uuidString.lowercased()
        #expect(key(sessionID, digesting, on: connection).stored == SecretDigest.sha256Hex(sessionID))
        #expect(key(sessionID, plain, on: connection) == SecretKey(stored: sessionID))
        #expect(key(sessionID, digesting, on: connection).stored == SecretDigest.sha256Hex(sessionID))
    }
}
