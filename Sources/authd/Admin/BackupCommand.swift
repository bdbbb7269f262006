import ArgumentParser
import AuthService

/// `authd backup FILE`: a consistent copy of the database while the server runs, checked.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract:
            "Copy the database to a new file while the server runs (SQLite's online backup), then check the copy.",
        discussion:
            "The copy is one snapshot, and it holds live sessions only as their digests (unless --store-plain-tokens). An existing FILE is never overwritten."
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The new file to write.")
    var file: String

    func run() throws {
        let source = try database.path()
        guard !PostgreSQLUserStore.handles(source) else { throw AdminFailure.backupOfPostgreSQL }
        let timeout = try database.busyTimeout()
        let report: SQLiteBackup.Report
        do {
            report = try SQLiteBackup.copy(source, to: file, busyTimeoutMilliseconds: timeout)
        } catch {
            throw AdminFailure.backup(error)
        }
        guard report.isIntact else { throw AdminFailure.damagedCopy(file, report.integrity) }
        print(
            "backed up \(source) to \(file): \(report.users) user\(report.users == 1 ? "" : "s"), \(report.pages) pages, integrity ok"
        )
    }
}
