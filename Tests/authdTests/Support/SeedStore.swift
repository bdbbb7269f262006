import Foundation
import Testing

/// Runs `Resources/seed_store.py` (the seed's table and password check, in Python) with
/// `arguments`; its output, after requiring a zero exit.
@discardableResult
func seedStore(_ arguments: [String]) throws -> String {
    try Prerequisite.require(.bcrypt)
    let script = try #require(
        Bundle.module.url(forResource: "seed_store", withExtension: "py", subdirectory: "Resources"))
    let (status, output) = try run("/usr/bin/env", ["python3", script.path] + arguments)
    try #require(status == 0, "seed_store.py \(arguments.prefix(2)) failed:\n\(output)")
    return output
}

/// The output lines of one `sqlite3` query on the file at `path`.
func sqliteLines(_ path: String, _ sql: String) throws -> [String] {
    try Prerequisite.require(.sqlite3)
    let (status, output) = try run("/usr/bin/sqlite3", [path, sql])
    try #require(status == 0, "\(output)")
    return output.split(separator: "\n").map(String.init)
}
