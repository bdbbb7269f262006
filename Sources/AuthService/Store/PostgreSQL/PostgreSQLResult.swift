import CPostgres
import Glibc

/// A view of one libpq result (not owning it: whoever got it from libpq clears it): its status,
/// its error as a StoreError, and its rows as text. Store thread only.
struct PostgreSQLResult {
    /// SQLSTATEs after which the connection cannot go on as it is: the server is shutting down or
    /// the session became read-only (a demoted primary), so the store reconnects, and
    /// `target_session_attrs=read-write` finds the primary.
    private static let reconnectStates: Set<String> = ["25006", "57P01", "57P02", "57P03"]
    /// SQLSTATEs that say nothing about the statement: the transaction lost a race (deadlock,
    /// serialization) and its statements may simply run again.
    private static let retryStates: Set<String> = ["40001", "40P01"]
    /// SQLSTATEs of a statement cancelled by `statement_timeout` or refused a lock.
    private static let busyStates: Set<String> = ["57014", "55P03"]

    private let result: OpaquePointer

    init(_ result: OpaquePointer) {
        self.result = result
    }

    var status: ExecStatusType { PQresultStatus(result) }

    /// Rows returned (0 for a command).
    var rowCount: Int { Int(PQntuples(result)) }

    var columnCount: Int { Int(PQnfields(result)) }

    /// Rows an INSERT, UPDATE or DELETE touched.
    var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    /// Whether the statement ran: rows, a command's completion, or nothing to do.
    var succeeded: Bool { status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK }

    /// Skipped because an earlier statement of its pipeline segment failed: it did not run.
    var wasSkipped: Bool { status == PGRES_PIPELINE_ABORTED }

    /// The SQLSTATE of a failed statement; nil when it did not fail.
    var sqlState: String? {
        guard status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR else { return nil }
        return PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
    }

    /// The failure as a StoreError: a unique violation is `.duplicateEmail` (the only UNIQUE index
    /// a statement can break is on emails); a connection-level failure is `.unavailable`. Nil when
    /// the statement ran.
    var failure: StoreError? {
        guard !succeeded else { return nil }
        let message =
            String(cString: PQresultErrorMessage(result)).split(whereSeparator: \.isNewline).first
            .map(String.init) ?? "no result"
        guard let state = sqlState else { return .unavailable(message: message) }
        if state == "23505" { return .duplicateEmail }
        if Self.isConnectionLevel(state) { return .unavailable(message: message) }
        // Lost a race, or ran out of the statement timeout waiting for a lock: busy, not broken.
        if Self.retryStates.contains(state) || Self.busyStates.contains(state) { return .busy }
        return .failure(code: 0, message: "\(state) \(message)")
    }

    /// Whether the failure means the connection must be replaced.
    var needsReconnect: Bool {
        guard let state = sqlState else { return !succeeded && !wasSkipped }
        return Self.isConnectionLevel(state)
    }

    /// libpq's own failures (a closed socket) carry no SQLSTATE; class 08 is the server's word for them.
    private static func isConnectionLevel(_ state: String) -> Bool {
        state.isEmpty || state.hasPrefix("08") || reconnectStates.contains(state)
    }

    /// Whether the failure is a lost race worth running again.
    var isRetryable: Bool { sqlState.map(Self.retryStates.contains) ?? false }

    /// A column's text, nil for NULL or a row that is not there.
    func string(row: Int, column: Int) -> String? {
        guard row < rowCount, PQgetisnull(result, Int32(row), Int32(column)) == 0 else { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    /// A column as an integer, nil for NULL or a row that is not there.
    func integer(row: Int, column: Int) -> Int64? {
        guard row < rowCount, PQgetisnull(result, Int32(row), Int32(column)) == 0 else { return nil }
        return strtoll(PQgetvalue(result, Int32(row), Int32(column)), nil, 10)
    }
}

extension PostgreSQLResult {
    /// Row `row` of a query selecting `PostgreSQLStatement.userColumns`, from column `offset`.
    func user(row: Int, offset: Int = 0) -> User {
        User(
            id: integer(row: row, column: offset) ?? 0,
            email: string(row: row, column: offset + 1) ?? "",
            hashedPassword: string(row: row, column: offset + 2) ?? "",
            sessionID: string(row: row, column: offset + 3),
            resetToken: string(row: row, column: offset + 4),
            sessionCreatedAt: integer(row: row, column: offset + 5),
            resetTokenCreatedAt: integer(row: row, column: offset + 6))
    }

    /// The first row as a user; nil when there is none.
    var firstUser: User? { rowCount > 0 ? user(row: 0) : nil }

    /// The first row of `selectSessionHolder`; nil when there is none.
    var firstSessionHolder: SessionHolder? {
        guard rowCount > 0 else { return nil }
        return SessionHolder(
            userID: integer(row: 0, column: 0) ?? 0, email: string(row: 0, column: 1) ?? "",
            sessionCreatedAt: integer(row: 0, column: 2), handle: integer(row: 0, column: 3).map(SessionHandle.init),
            lastSeenAt: integer(row: 0, column: 4), assurance: AssuranceLevel(stored: integer(row: 0, column: 5)))
    }

    /// Row `row` of a query selecting `PostgreSQLStatement.sessionColumns`.
    func session(row: Int) -> Session {
        Session(
            handle: SessionHandle(rawValue: integer(row: row, column: 0) ?? 0),
            userID: integer(row: row, column: 1) ?? 0,
            createdAt: integer(row: row, column: 2) ?? 0, lastSeenAt: integer(row: row, column: 3) ?? 0,
            address: string(row: row, column: 4) ?? "", userAgent: string(row: row, column: 5) ?? "",
            assurance: AssuranceLevel(stored: integer(row: row, column: 6)))
    }

    /// Row `row` of a query selecting `PostgreSQLStatement.mailColumns`, from column `offset`.
    func mail(row: Int, offset: Int = 0) -> OutboxMail {
        OutboxMail(
            id: integer(row: row, column: offset) ?? 0,
            userID: integer(row: row, column: offset + 1) ?? 0,
            recipient: string(row: row, column: offset + 2) ?? "",
            token: string(row: row, column: offset + 3) ?? "",
            requestedBy: string(row: row, column: offset + 4) ?? "",
            createdAt: integer(row: row, column: offset + 5) ?? 0,
            expiresAt: integer(row: row, column: offset + 6) ?? 0,
            attempts: Int(integer(row: row, column: offset + 7) ?? 0),
            nextAttemptAt: integer(row: row, column: offset + 8) ?? 0)
    }
}
