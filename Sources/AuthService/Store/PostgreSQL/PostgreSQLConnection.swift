import CPostgres
import Glibc

/// One libpq connection: set up in blocking mode (schema, prepared statements), then switched to
/// nonblocking pipeline mode, where queries are only queued by `send` and leave with `flush`.
/// Not thread-safe: after `connect` it is used only on the store thread (see PostgreSQLQueue).
final class PostgreSQLConnection {
    private let connection: OpaquePointer
    // Reused for every query's parameters: libpq copies them out during the send call.
    private var parameterBytes: [CChar] = []
    private var parameterStarts: [Int] = []
    private var parameterPointers: [UnsafePointer<CChar>?] = []

    private init(connection: OpaquePointer) {
        self.connection = connection
    }

    /// Connects to `location` (a libpq URI or `key=value` string; several hosts and
    /// `target_session_attrs` work as libpq says), waiting at most `timeout`, without blocking in libpq.
    static func connect(to location: String, timeout: Duration) throws(StoreError) -> PostgreSQLConnection {
        let deadline = ContinuousClock.now + timeout
        let started: OpaquePointer? = "dbname".withCString { keyword in
            location.withCString { value in
                let keywords: [UnsafePointer<CChar>?] = [keyword, nil]
                let values: [UnsafePointer<CChar>?] = [value, nil]
                return PQconnectStartParams(keywords, values, 1)
            }
        }
        guard let started else { throw .cannotOpen(location: redacted(location), reason: "out of memory") }
        let attempt = PostgreSQLConnection(connection: started)
        var polling = PGRES_POLLING_WRITING
        while polling != PGRES_POLLING_OK {
            guard PQstatus(started) != CONNECTION_BAD, polling != PGRES_POLLING_FAILED else {
                throw .cannotOpen(location: redacted(location), reason: attempt.errorMessage)
            }
            let events = polling == PGRES_POLLING_READING ? Int16(POLLIN) : Int16(POLLOUT)
            guard attempt.wait(for: events, until: deadline) != nil else {
                throw .cannotOpen(location: redacted(location), reason: "no answer within \(timeout)")
            }
            polling = PQconnectPoll(started)
        }
        return attempt
    }

    deinit {
        PQfinish(connection)
    }

    /// `location` without a password, for messages and logs.
    static func redacted(_ location: String) -> String {
        guard let scheme = location.range(of: "://"), let at = location[scheme.upperBound...].firstIndex(of: "@")
        else { return location }
        let userInfo = location[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return location }
        return String(location[..<colon]) + ":***" + String(location[at...])
    }

    /// libpq's last error, on one line.
    var errorMessage: String {
        String(cString: PQerrorMessage(connection)).split(whereSeparator: \.isNewline)
            .map { $0.trimmingPrefix(while: \.isWhitespace) }.joined(separator: " ")
    }

    /// Whether libpq still considers the connection usable.
    var isHealthy: Bool { PQstatus(connection) == CONNECTION_OK }

    /// Whether an idle connection is still there. With no query in flight (and no LISTEN) the
    /// server writes only to end the session (shutdown, termination, idle timeout): anything to
    /// read now means that, and one `poll` learns it, where sending a batch into it would fail the
    /// whole batch.
    func isStillUsableWhileIdle() -> Bool {
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0 && isHealthy
    }

    // MARK: blocking set-up, before pipeline mode

    /// Runs one statement and waits; its rows as text. Only before `enterPipelineMode`.
    @discardableResult
    func execute(_ sql: String, _ parameters: [PostgreSQLValue] = []) throws(StoreError) -> [[String?]] {
        let result = withParameters(parameters) { count, values in
            PQexecParams(connection, sql, count, nil, values, nil, nil, 0)
        }
        guard let result else { throw .unavailable(message: errorMessage) }
        defer { PQclear(result) }
        let view = PostgreSQLResult(result)
        if let failure = view.failure { throw failure }
        return (0..<view.rowCount).map { row in (0..<view.columnCount).map { view.string(row: row, column: $0) } }
    }

    /// Prepares every statement the store runs, once for this connection.
    func prepareStatements() throws(StoreError) {
        for statement in PostgreSQLStatement.allCases {
            guard let result = PQprepare(connection, statement.rawValue, statement.sql, 0, nil) else {
                throw .unavailable(message: errorMessage)
            }
            defer { PQclear(result) }
            if let failure = PostgreSQLResult(result).failure { throw failure }
        }
    }

    /// From now on queries are queued and sent without waiting for each other's answers.
    func enterPipelineMode() throws(StoreError) {
        guard PQsetnonblocking(connection, 1) == 0, PQenterPipelineMode(connection) == 1 else {
            throw .unavailable(message: errorMessage)
        }
    }

    // MARK: pipeline mode

    /// Queues a prepared statement with its parameters; false when the connection failed.
    func send(_ statement: PostgreSQLStatement, _ parameters: [PostgreSQLValue]) -> Bool {
        withParameters(parameters) { count, values in
            PQsendQueryPrepared(connection, statement.rawValue, count, values, nil, nil, 0)
        } == 1
    }

    /// Queues a statement without parameters (BEGIN, COMMIT); false when the connection failed.
    func send(_ sql: StaticString) -> Bool {
        sql.withUTF8Buffer { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                PQsendQueryParams(connection, $0.baseAddress, 0, nil, nil, nil, nil, 0)
            }
        } == 1
    }

    /// Marks the end of a group of queued queries (a transaction when none says BEGIN).
    func sync() -> Bool { PQpipelineSync(connection) == 1 }

    /// Writes what libpq holds; true when all of it left, false when the socket took only part.
    /// Throws when the connection failed.
    func flush() throws(StoreError) -> Bool {
        switch PQflush(connection) {
        case 0: return true
        case 1: return false
        default: throw .unavailable(message: errorMessage)
        }
    }

    /// The next result, or nil between one query's results and the next's; waits for the server
    /// until `deadline`, writing what `flush` left meanwhile. Throws when the connection failed or
    /// the deadline passed.
    func nextResult(until deadline: ContinuousClock.Instant, unflushed: inout Bool) throws(StoreError) -> OpaquePointer?
    {
        while PQisBusy(connection) == 1 {
            let events = Int16(POLLIN) | (unflushed ? Int16(POLLOUT) : 0)
            guard let ready = wait(for: events, until: deadline) else {
                throw .unavailable(message: "PostgreSQL did not answer in time")
            }
            if ready & Int16(POLLOUT) != 0 { unflushed = try !flush() }
            if ready & ~Int16(POLLOUT) != 0, PQconsumeInput(connection) == 0 {
                throw .unavailable(message: errorMessage)
            }
        }
        return PQgetResult(connection)
    }

    /// Waits until the socket is ready for `events` (what it is ready for), or nil past `deadline`.
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant) -> Int16? {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
            var descriptor = pollfd(fd: PQsocket(connection), events: events, revents: 0)
            let count = poll(&descriptor, 1, Int32(clamping: milliseconds))
            if count > 0 { return descriptor.revents }
            if count < 0 && errno != EINTR { return Int16(POLLERR) }
        }
    }

    /// Calls `body` with the parameters as NUL-terminated text, laid out in the reused buffers.
    private func withParameters<T>(
        _ parameters: [PostgreSQLValue], _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> T
    ) -> T {
        parameterBytes.removeAll(keepingCapacity: true)
        parameterStarts.removeAll(keepingCapacity: true)
        for parameter in parameters {
            switch parameter {
            case .null:
                parameterStarts.append(-1)
            case .text(let text):
                parameterStarts.append(parameterBytes.count)
                parameterBytes.append(contentsOf: text.utf8.lazy.map { CChar(bitPattern: $0) })
                parameterBytes.append(0)
            case .integer(let value):
                parameterStarts.append(parameterBytes.count)
                parameterBytes.append(contentsOf: String(value).utf8.lazy.map { CChar(bitPattern: $0) })
                parameterBytes.append(0)
            }
        }
        return parameterBytes.withUnsafeBufferPointer { bytes in
            parameterPointers.removeAll(keepingCapacity: true)
            for start in parameterStarts {
                parameterPointers.append(start < 0 ? nil : bytes.baseAddress.map { UnsafePointer($0 + start) })
            }
            return parameterPointers.withUnsafeBufferPointer { body(Int32(parameters.count), $0.baseAddress) }
        }
    }
}
