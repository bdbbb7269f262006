import Testing

@testable import AuthService

/// Two `Auth`s on one store that shares its login limits are two nodes: guesses spread over them
/// count together, where each node alone would allow its own limit.
@Suite struct SharedLimitsAcrossAuthsTests {
    private let hasher = PasswordHasher()
    // Time stands still: the blocks' lengths are exact however slowly a loaded machine hashes.
    private let clock = ClockForTests()

    private func nodes(sharing: Bool, _ configure: (inout AuthConfiguration) -> Void = { _ in }) async throws -> [Auth]
    {
        let store = InMemoryUserStore(sharingLoginLimits: sharing)
        _ = try await store.addUser(email: "victim@b.c", hashedPassword: try hasher.hash("right", cost: 4)).get()
        var configuration = AuthConfiguration(bcryptCost: 4, hashThreads: 1)
        configuration.clock = clock.read
        configure(&configuration)
        return [
            try Auth(store: store, configuration: configuration), try Auth(store: store, configuration: configuration),
        ]
    }

    @Test func guessesFromOneClientSpreadOverTwoNodesMeetOneLimit() async throws {
        let nodes = try await nodes(sharing: true)
        defer { for node in nodes { node.shutdown() } }
        // The default limit is five failures per email and client.
        for guess in 0..<5 {
            #expect(await nodes[guess % 2].login(email: "victim@b.c", password: "wrong").failure == .invalidCredentials)
        }
        for node in nodes {
            guard case .throttled(let seconds)? = await node.login(email: "victim@b.c", password: "wrong").failure
            else {
                Issue.record("a sixth guess was not refused")
                continue
            }
            #expect(seconds == 30)
        }
        // Another client is not this pair: it still gets in with the password.
        let owner = ClientIdentity(address: "198.51.100.7")
        #expect(await nodes[1].login(email: "victim@b.c", password: "right", client: owner).value != nil)
    }

    @Test func aBurstOfRightPasswordsOverTwoNodesWaitsForItsTurnInsteadOfBeingRefused() async throws {
        let nodes = try await nodes(sharing: true)
        defer { for node in nodes { node.shutdown() } }
        // More at once than the pair's limit of attempts under way, on each node and in all.
        let answers = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<24 {
                let node = nodes[index % 2]
                group.addTask { await node.login(email: "victim@b.c", password: "right").value != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(answers == 24)
    }

    @Test func withoutSharedLimitsEachNodeCountsAlone() async throws {
        let nodes = try await nodes(sharing: false)
        defer { for node in nodes { node.shutdown() } }
        for guess in 0..<10 {
            #expect(await nodes[guess % 2].login(email: "victim@b.c", password: "wrong").failure == .invalidCredentials)
        }
    }

    @Test func theAccountLimitCountsStrangersOnEveryNode() async throws {
        let nodes = try await nodes(sharing: true) {
            $0.throttling.accountFailureLimit = 4
            $0.throttling.accountWindow = Lifetime(seconds: 3600)
        }
        defer { for node in nodes { node.shutdown() } }
        for index in 0..<4 {
            let stranger = ClientIdentity(address: "203.0.113.\(index)")
            #expect(
                await nodes[index % 2].login(email: "victim@b.c", password: "wrong", client: stranger).failure
                    == .invalidCredentials)
        }
        // Over the limit: one stranger per slot (an hour / 4) across both nodes, not one per node.
        let fifth = ClientIdentity(address: "203.0.113.50")
        #expect(
            await nodes[0].login(email: "victim@b.c", password: "wrong", client: fifth).failure == .invalidCredentials)
        let sixth = ClientIdentity(address: "203.0.113.60")
        guard
            case .throttled(let seconds)? = await nodes[1].login(email: "victim@b.c", password: "x", client: sixth)
                .failure
        else {
            Issue.record("a stranger got a second slot on the other node")
            return
        }
        #expect(seconds == 900)
    }
}
