import ArgumentParser
import AuthService
import Glibc

/// `authd migrate --from FILE.db --to TARGET`: the users of a SQLite file (authd's or the seed's),
/// with their sessions and pending reset tokens, copied into another store, all or nothing.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy users, their sessions and pending reset tokens from a SQLite file into another database.",
        discussion: """
            FILE.db (authd's or the seed's) is opened read-only and never changed. Each user is copied \
            whole: the email as stored, the bcrypt hash, the session and the reset token (digests, or \
            the seed's plain ids) with their creation times, under an id of the target's own. A user the \
            target already holds identically is counted and passed over, so a second run copies nothing. \
            A user the target holds with other data, a target email equal ignoring case that the source \
            lacks, or an email twice in the source is a conflict: each is reported by email, nothing is \
            written, and the exit status is 1. Reset mails still waiting in the source's outbox are not \
            copied: let them go out first.
            """)

    /// How long the copy may take on PostgreSQL before it fails (and writes nothing): 50 000 users
    /// take about 4 s. The store waits as long to connect, so not longer.
    static let copyTimeout = Duration.seconds(120)

    @Option(help: "The SQLite file to copy from (authd's or the seed's); opened read-only.")
    var from: String

    @Option(
        help:
            "The database to copy into, as the server's --database names it: a SQLite file (created if missing) or a postgresql:// URI."
    )
    var to: String

    func run() throws {
        guard access(from, R_OK) == 0 else { throw AdminFailure.noSource(from) }
        if Self.sameFile(from, to) { throw AdminFailure.sameDatabase(to) }
        let timeout = AuthConfiguration().busyTimeoutMilliseconds
        let rows: [User]
        do {
            rows = try SQLiteUsersReader.users(inFileAt: from, busyTimeoutMilliseconds: timeout)
        } catch {
            throw AdminFailure.admin(.store(error))
        }
        // The whole copy is one operation: a large file takes longer than a request's few seconds.
        let target = try DatabaseOptions.openStore(
            to, busyTimeoutMilliseconds: timeout, operationTimeout: Self.copyTimeout)
        defer { target.close() }
        let report: CopyReport
        do {
            report = try UserAdministration(store: target).copyUsers(rows)
        } catch {
            throw AdminFailure.admin(error)
        }
        for (row, conflict) in report.conflicts {
            print("conflict: \(TerminalText.escaped(row.email)): \(Self.describe(conflict, of: row))")
        }
        guard report.conflicts.isEmpty else {
            // The list (buffered stdout) before ArgumentParser's error line on stderr, also through one pipe.
            fflush(nil)
            throw AdminFailure.conflicts(report.conflicts.count)
        }
        print(
            "copied \(Self.count(report.added.count, "user")) (\(Self.count(report.addedSessions, "session")), "
                + "\(Self.count(report.addedResetTokens, "reset token"))); \(report.alreadyPresent.count) already present"
        )
    }

    /// Why `row` cannot be copied, in words; never a hash, session id or token.
    private static func describe(_ conflict: CopyConflict, of row: User) -> String {
        switch conflict {
        case .differs(let stored):
            let names = stored.columns(differingFrom: row).map { column in
                switch column {
                case .passwordHash: "password hash"
                case .session: "session"
                case .resetToken: "reset token"
                }
            }
            return "the target holds this email with another \(names.joined(separator: " and "))"
        case .caseVariant(let stored):
            return "the target holds \(TerminalText.escaped(stored.email)), equal ignoring case, which the source lacks"
        case .repeated:
            return "the source holds this email more than once"
        }
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// Whether both paths name one existing file: copying a file into itself would only conflict.
    private static func sameFile(_ left: String, _ right: String) -> Bool {
        var first = stat()
        var second = stat()
        guard stat(left, &first) == 0, stat(right, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}
