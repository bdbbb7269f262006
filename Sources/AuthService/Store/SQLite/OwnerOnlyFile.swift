import Glibc

/// The files authd creates that hold secrets (the database, a backup) are readable by their owner
/// alone (0600), whatever the umask: they hold password hashes, session digests and the outbox.
/// SQLite gives the WAL, shared-memory and journal files the database file's own mode, so making
/// the database 0600 makes them 0600 too.
enum OwnerOnlyFile {
    /// Why a new file could not be made.
    enum Failure: Error, Equatable {
        /// A file, directory or symbolic link (even a dangling one) is already at the path.
        case exists(isSymbolicLink: Bool)
        /// Any other errno of `open` or `fchmod`.
        case system(Int32)
    }

    /// Makes an empty file at `path` with mode 0600. Never follows a symbolic link and never opens
    /// an existing file: `O_CREAT | O_EXCL` fails on any name already taken, so nothing is written
    /// through a link an attacker planted.
    static func create(_ path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            guard code == EEXIST else { throw .system(code) }
            var status = stat()
            throw .exists(isSymbolicLink: lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFLNK)
        }
        defer { close(fd) }
        // The umask may have taken bits off 0600 (077 leaves it, 277 would make it unwritable).
        guard fchmod(fd, 0o600) == 0 else {
            let code = errno
            unlink(path)
            throw .system(code)
        }
    }

    /// Creates the database file at `path` owner-only if nothing is there yet; a file (or link)
    /// already there is left as it is for SQLite to open. SQLite's special names (`:memory:`, the
    /// empty name of a temporary database) are not files.
    static func prepareDatabase(_ path: String) throws(StoreError) {
        guard !path.isEmpty, path != ":memory:" else { return }
        do {
            try create(path)
        } catch {
            // A missing directory and the like: SQLite's own open says it in its words.
            guard case .system(let code) = error, code != ENOENT, code != ENOTDIR, code != EACCES else { return }
            throw .cannotOpen(location: path, reason: String(cString: strerror(code)))
        }
    }
}
