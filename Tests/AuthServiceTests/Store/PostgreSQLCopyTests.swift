import Dispatch
import Testing

@testable import AuthService

/// `copyUsers` on PostgreSQL against sign-ups on another node at the same moment: the table lock
/// must leave exactly one user per email ignoring case, whichever comes first.
@Suite struct PostgreSQLCopyTests {
    @Test func aCopyRacingSignUpsOfCaseTwinsOnAnotherNodeLeavesOneUserPerEmail() async throws {
        try await TemporaryPostgreSQL.with { database in
            let nodes = try [PostgreSQLUserStore(location: database.url), PostgreSQLUserStore(location: database.url)]
            defer { for node in nodes { node.close() } }
            let rows = (0..<20).map { User(id: Int64($0), email: "Race\($0)@b.c", hashedPassword: TestVectors.hash2b) }
            let copied = Counter()
            let signedUp = Counter()
            let done = DispatchGroup()
            done.enter()
            nodes[0].copyUsers(rows) { result in
                if case .success(let outcomes) = result, !outcomes.hasConflict { copied.increment() }
                done.leave()
            }
            for row in rows {
                done.enter()
                nodes[1].addUser(email: row.email.lowercased(), hashedPassword: "h", unique: .ignoringCase) { result in
                    if case .success = result { signedUp.increment() }
                    done.leave()
                }
            }
            done.wait()
            let users = try await nodes[0].listUsers().get()
            // All or nothing: either the copy came first and every sign-up was refused, or sign-ups
            // got in first and the copy, meeting their twins, wrote nothing.
            if copied.value == 1 {
                #expect(users.count == 20 && signedUp.value == 0)
            } else {
                #expect(users.count == signedUp.value && users.allSatisfy { $0.email.hasPrefix("race") })
            }
            #expect(Set(users.map { EmailComparison.caseFoldedKey($0.email) }).count == users.count)
        }
    }
}
