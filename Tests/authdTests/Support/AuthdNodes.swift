import Foundation

/// Several real authd processes on one PostgreSQL database, each on its own free loopback port:
/// the nodes of one service as a load balancer would see them.
final class AuthdNodes: @unchecked Sendable {
    let nodes: [AuthdProcess]
    /// One URLSession client per node, in the same order.
    let clients: [HTTPClient]

    /// Starts `count` nodes on `database` (a `postgresql://` URL) with `arguments` added, all at
    /// once as a deployment's restart would: their schema step meets on a fresh database, which
    /// the store's advisory lock must keep from racing. Each on a thread of its own, because
    /// `AuthdProcess` waits for its port by blocking.
    static func start(_ count: Int, database: String, _ arguments: [String] = []) async throws -> AuthdNodes {
        let started = try await withThrowingTaskGroup(of: (Int, AuthdProcess).self) { group in
            for index in 0..<count {
                group.addTask {
                    try await onOwnThread { (index, try AuthdProcess(arguments: arguments, database: database)) }
                }
            }
            return try await group.reduce(into: [Int: AuthdProcess]()) { $0[$1.0] = $1.1 }
        }
        return AuthdNodes(nodes: (0..<count).map { started[$0]! })
    }

    private init(nodes: [AuthdProcess]) {
        self.nodes = nodes
        clients = nodes.map { HTTPClient(base: $0.baseURL) }
    }

    deinit {
        // A test that ended early: SIGTERM to all at once, so that each node's own wait overlaps.
        for node in nodes where node.process.isRunning { kill(node.process.processIdentifier, SIGTERM) }
    }

    /// The client of node `index` modulo the count: `client(step)` puts each step on the next node.
    func client(_ index: Int) -> HTTPClient { clients[index % clients.count] }

    /// Every node's log, for a failure message.
    var logs: String {
        nodes.enumerated().map { "--- node \($0) ---\n\($1.log)" }.joined(separator: "\n")
    }

    /// SIGTERM to every node still running, all at once (each drain takes a moment, and they
    /// need not queue); their exit statuses in node order (nil for a node killed after the grace).
    func stop() async throws -> [Int32?] {
        try await withThrowingTaskGroup(of: (Int, Int32?).self) { group in
            for (index, node) in nodes.enumerated() {
                group.addTask { try await onOwnThread { (index, node.stop()) } }
            }
            let statuses = try await group.reduce(into: [Int: Int32?]()) { $0[$1.0] = $1.1 }
            return nodes.indices.map { statuses[$0] ?? nil }
        }
    }
}
