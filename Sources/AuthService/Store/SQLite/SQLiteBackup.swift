import CSQLite
import Glibc

/// A consistent copy of a database file while authd may be serving from it: SQLite's online backup
/// API reads one snapshot (in WAL mode a reader never blocks the writer, nor the writer it), then
/// the copy is checked with `PRAGMA integrity_check`. Uses connections of its own; blocking.
public enum SQLiteBackup {
    /// What a copy holds and what its check said.
    public struct Report: Sendable, Equatable {
        /// Database pages copied.
        public var pages: Int
        /// Rows of `users` in the copy.
        public var users: Int
        /// `PRAGMA integrity_check`'s lines: `["ok"]` for a sound copy.
        public var integrity: [String]

        /// Whether the copy passed its integrity check.
        public var isIntact: Bool { integrity == ["ok"] }
    }

    /// Copies the database at `source` to the new file `destination`, then checks the copy. The
    /// copy is created owner-only (0600) whatever the umask, and only as a new file: an existing
    /// file is never overwritten and a symbolic link (even a dangling one) never followed.
    /// A failed copy is removed. `busyTimeoutMilliseconds` bounds the wait for a lock another
    /// connection holds.
    public static func copy(
        _ source: String, to destination: String, busyTimeoutMilliseconds: Int = 5000
    ) throws(StoreError) -> Report {
        guard access(source, F_OK) == 0 else { throw .cannotOpen(location: source, reason: "no such file") }
        do {
            try OwnerOnlyFile.create(destination)
        } catch {
            switch error {
            case .exists(let isSymbolicLink):
                let reason = isSymbolicLink ? "is a symbolic link, which a backup never follows" : "already exists"
                throw .cannotOpen(location: destination, reason: reason)
            case .system(let code):
                throw .cannotOpen(location: destination, reason: String(cString: strerror(code)))
            }
        }
        let to: OpaquePointer
        let from: OpaquePointer
        do throws(StoreError) {
            // The file just made, and no link put in its place since: SQLite refuses to follow one.
            to = try open(
                destination, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
                busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            do throws(StoreError) {
                // Read-write, never create: a read-only open of a WAL file may fail to map its -shm.
                from = try open(source, flags: SQLITE_OPEN_READWRITE, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            } catch {
                sqlite3_close_v2(to)
                throw error
            }
        } catch {
            unlink(destination)
            throw error
        }
        defer { sqlite3_close_v2(from) }
        let pages: Int
        do {
            pages = try runBackup(from: from, to: to, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            sqlite3_close_v2(to)
            unlink(destination)
            throw error
        }
        defer { sqlite3_close_v2(to) }
        let integrity = try strings("PRAGMA integrity_check", on: to)
        let users = try strings("SELECT count(*) FROM users", on: to).first.flatMap { Int($0) } ?? 0
        return Report(pages: pages, users: users, integrity: integrity)
    }

    /// All pages in one step, so the copy is one snapshot; retried while the source is locked.
    private static func runBackup(
        from source: OpaquePointer, to destination: OpaquePointer, busyTimeoutMilliseconds: Int
    ) throws(StoreError) -> Int {
        guard let backup = sqlite3_backup_init(destination, "main", source, "main") else {
            throw SQLiteStatement.error(code: sqlite3_errcode(destination), database: destination)
        }
        var waited = 0
        var code: Int32
        repeat {
            code = sqlite3_backup_step(backup, -1)
            if code == SQLITE_BUSY || code == SQLITE_LOCKED {
                guard waited < busyTimeoutMilliseconds else { break }
                usleep(20_000)
                waited += 20
            }
        } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
        let pages = Int(sqlite3_backup_pagecount(backup))
        let finished = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE, finished == SQLITE_OK else {
            throw SQLiteStatement.error(code: code == SQLITE_DONE ? finished : code, database: destination)
        }
        return pages
    }

    private static func open(_ path: String, flags: Int32, busyTimeoutMilliseconds: Int) throws(StoreError)
        -> OpaquePointer
    {
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        guard code == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw .cannotOpen(location: path, reason: reason)
        }
        sqlite3_busy_timeout(handle, Int32(clamping: busyTimeoutMilliseconds))
        return handle
    }

    /// The first column of every row `sql` returns, as text.
    private static func strings(_ sql: String, on database: OpaquePointer) throws(StoreError) -> [String] {
        let statement = try SQLiteStatement(database: database, sql: sql)
        var lines: [String] = []
        while try statement.step() {
            lines.append(statement.string(at: 0) ?? "")
        }
        return lines
    }
}
