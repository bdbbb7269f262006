/// What `authd --version` prints: the release and the commit the binary was built from.
enum Version {
    /// The release; `openapi.json`'s `info.version` says the same (`OpenAPITests` checks it).
    static let number = "0.1.0"
    /// The commit of the checkout built, stamped by the `CommitStamp` build plugin: `unknown` when
    /// built outside git, with `-dirty` when tracked files had uncommitted changes.
    static let commit = buildCommit
    /// The `--version` line.
    static let text = "authd \(number) (commit \(commit))"
}
