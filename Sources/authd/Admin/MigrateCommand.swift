import ArgumentParser
import AuthService
import Glibc

/// `authd migrate --from FILE.db --to TARGET`: the users of a SQLite file (authd's or the seed's),
/// with their sessions, pending reset tokens and second factors, copied into another store, all or
/// nothing.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract:
            "Copy users, their sessions, pending reset tokens and second factors from a SQLite file into another database.",
        discussion: """
            FILE.db (authd's or the seed's) is opened read-only and never changed. Each user is copied \
            whole: the email as stored, the bcrypt hash, the session and the reset token (digests, or \
            the seed's plain ids) with their creation times, under an id of the target's own, and its \
            second factor: the TOTP secret, opened with --secret-key-file (the key `serve` seals with) \
            and sealed again to the new id, its last used step, and its unused recovery codes. A user the \
            target already holds identically is counted and passed over, so a second run copies nothing. \
            A user the target holds with other data (or with a second factor on where the source's is \
            off, or off where it is on), a target email equal ignoring case that the source lacks, or an \
            email twice in the source is a conflict: each is reported by email, nothing is written, and \
            the exit status is 1. Reset mails still waiting in the source's outbox are not copied: let \
            them go out first.
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

    @Option(
        help:
            "The key file the source's TOTP secrets are sealed under, as `serve` takes it; they are sealed again under it for the target. Needed when the source holds any second factor (AUTHD_SECRET_KEY_FILE)."
    )
    var secretKeyFile: String?

    @Option(
        help:
            "The key file used before the current --secret-key-file: secrets it sealed still open, and are sealed again under the current key (AUTHD_PREVIOUS_SECRET_KEY_FILE)."
    )
    var previousSecretKeyFile: String?

    func run() throws {
        guard access(from, R_OK) == 0 else { throw AdminFailure.noSource(from) }
        if Self.sameFile(from, to) { throw AdminFailure.sameDatabase(to) }
        let timeout = AuthConfiguration().busyTimeoutMilliseconds
        let keys = try KeyFiles.keyring(secretKeyFile: secretKeyFile, previousSecretKeyFile: previousSecretKeyFile)
        let source: (users: [User], secondFactors: [Int64: StoredSecondFactor])
        do {
            source = try SQLiteUsersReader.read(fileAt: from, busyTimeoutMilliseconds: timeout)
        } catch {
            throw AdminFailure.admin(.store(error))
        }
        let rows = source.users
        // Refused before the target is opened (a missing SQLite target would be created).
        let carried = rows.count { source.secondFactors[$0.id] != nil }
        if keys == nil && carried > 0 { throw AdminFailure.admin(.sealingKeysNeeded(users: carried)) }
        // The whole copy is one operation: a large file takes longer than a request's few seconds.
        let target = try DatabaseOptions.openStore(
            to, busyTimeoutMilliseconds: timeout, operationTimeout: Self.copyTimeout)
        defer { target.close() }
        let report: CopyReport
        do {
            report = try UserAdministration(store: target).copyUsers(
                rows, secondFactors: source.secondFactors, keys: keys)
        } catch {
            throw AdminFailure.admin(error)
        }
        for (row, conflict) in report.conflicts {
            let factorOn = source.secondFactors[row.id]?.totp.isEnabled == true
            print(
                "conflict: \(TerminalText.escaped(row.email)): \(Self.describe(conflict, of: row, secondFactorOn: factorOn))"
            )
        }
        guard report.conflicts.isEmpty else {
            // The list (buffered stdout) before ArgumentParser's error line on stderr, also through one pipe.
            fflush(nil)
            throw AdminFailure.conflicts(report.conflicts.count)
        }
        print(
            "copied \(Self.count(report.added.count, "user")) (\(Self.count(report.addedSessions, "session")), "
                + "\(Self.count(report.addedResetTokens, "reset token")), "
                + "\(Self.count(report.addedSecondFactors, "second factor"))); "
                + "\(report.alreadyPresent.count) already present"
        )
    }

    /// Why `row` (whose second factor is on or off in the source) cannot be copied, in words; never
    /// a hash, session id or token.
    private static func describe(_ conflict: CopyConflict, of row: User, secondFactorOn: Bool) -> String {
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
        case .otherSecondFactor:
            return "the target holds this email with the same password hash, session and reset token, but its "
                + "second factor is \(secondFactorOn ? "off" : "on") there"
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
