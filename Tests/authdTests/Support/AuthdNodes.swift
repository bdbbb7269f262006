import Foundation

/// Several real authd processes on one PostgreSQL database, each on its own free loopback port:
/// the nodes of one service as a load balancer would see them.
final class AuthdNodes: @unchecked Sendable {
    let nodes: [AuthdProcess]
    /// One URLSession client per node, in the same order.
    let clients: [HTTPClient]

    /// Starts `count` nodes on `database` (a `postgresql://` URL) with `arguments` added, one after
    /// another so that the schema is created once and the rest find it; on a thread of their own
    /// because `AuthdProcess` waits for the port by blocking.
    static func start(_ count: Int, database: String, _ arguments: [String] = []) async throws -> AuthdNodes {
        try await onOwnThread {
            AuthdNodes(nodes: try (0..<count).map { _ in try AuthdProcess(arguments: arguments, database: database) })
        }
    }

    private init(nodes: [AuthdProcess]) {
        self.nodes = nodes
        clients = nodes.map { HTTPClient(base: $0.baseURL) }
    }

    /// The client of node `index` modulo the count: `client(step)` puts each step on the next node.
    func client(_ index: Int) -> HTTPClient { clients[index % clients.count] }

    /// Every node's log, for a failure message.
    var logs: String {
        nodes.enumerated().map { "--- node \($0) ---\n\($1.log)" }.joined(separator: "\n")
    }

    /// SIGTERM to every node still running; their exit statuses (nil for a node killed after the grace).
    func stop() async throws -> [Int32?] {
        let nodes = nodes
        return try await onOwnThread { nodes.map { $0.stop() } }
    }
}
