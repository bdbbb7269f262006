import CSQLite
import Glibc

/// The commit counter of a SQLite database in WAL mode, as every process sees it: the `iChange`
/// word of the WAL-index header in the `-shm` file, which SQLite increments in each commit made
/// by any connection of any process (https://sqlite.org/walformat.html, "The WAL-Index Header").
/// The file is mapped read-only here, so reading the counter is one load, on any thread.
final class WALChangeCounter: Sendable {
    /// The WAL-index format this reads (`iVersion`); another one leaves the counter unmapped.
    private static let walIndexVersion: UInt32 = 3_007_000
    /// The header's first copy: `iVersion` at 0, `iChange` at 8, `isInit` at 12; 48 bytes.
    private static let headerBytes = 48

    // Written only here, by SQLite's writers; read through an atomic load.
    private nonisolated(unsafe) let header: UnsafeMutableRawPointer

    /// Maps the `-shm` file of `database`'s main file; nil when it has none (not in WAL mode, a
    /// temporary or in-memory database) or when its header is not the format above. Call while the
    /// connection is open: it keeps the `-shm` initialized, and nobody truncates it meanwhile.
    init?(database: OpaquePointer) {
        guard let name = sqlite3_db_filename(database, "main"), name.pointee != 0 else { return nil }
        let descriptor = open(String(cString: name) + "-shm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size >= Self.headerBytes else { return nil }
        let mapped = mmap(nil, Self.headerBytes, PROT_READ, MAP_SHARED, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else { return nil }
        guard csqlite_load_acquire_u32(mapped) == Self.walIndexVersion,
            mapped.load(fromByteOffset: 12, as: UInt8.self) == 1
        else {
            munmap(mapped, Self.headerBytes)
            return nil
        }
        header = mapped
    }

    deinit {
        munmap(header, Self.headerBytes)
    }

    /// The number of commits so far, modulo 2³²: it differs from an earlier reading once any
    /// process committed since.
    var value: UInt32 {
        csqlite_load_acquire_u32(header + 8)
    }
}
