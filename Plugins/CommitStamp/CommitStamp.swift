import Foundation
import PackagePlugin

/// Stamps the commit the build is made from into `authd --version`: a build command runs
/// `git rev-parse` on the package and writes `let buildCommit = "…"` into a generated source.
///
/// Why a build command with git's files as inputs: the manifest is evaluated once and cached (a
/// value read there goes stale at the next commit), a `-D` flag carries no string, and SwiftPM runs
/// a prebuild command only when it plans the build again, not after a commit that changed no source.
/// The build system checks the inputs of this command at every build: git's `HEAD`, its reflog and
/// its index (one of which changes at every commit, checkout or reset) and the package's sources (an
/// edit may make the tree dirty). The file is rewritten only when the stamp changes, so a build with
/// nothing new recompiles nothing. Outside a git checkout of this package, or without git, the commit
/// is `unknown`; uncommitted changes to tracked files add `-dirty`.
@main
struct CommitStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildCommit.swift")
        let script = #"""
            package="$1" file="$2"
            commit=unknown
            # An empty prefix: the package is the top of the checkout, not a folder inside another one.
            if prefix=$(git -C "$package" rev-parse --show-prefix 2>/dev/null) && [ -z "$prefix" ]; then
                commit=$(git -C "$package" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
                if [ "$commit" != unknown ] && ! git -C "$package" diff --quiet HEAD -- 2>/dev/null; then
                    commit="$commit-dirty"
                fi
            fi
            line="let buildCommit = \"$commit\""
            [ "$(cat "$file" 2>/dev/null)" = "$line" ] || printf '%s\n' "$line" > "$file"
            """#
        let sources = context.package.targets.compactMap { $0 as? SourceModuleTarget }
            .flatMap { $0.sourceFiles.map(\.url) }
        return [
            .buildCommand(
                displayName: "Stamping the commit into authd --version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "commit-stamp", package.path, output.path],
                inputFiles: Self.gitFiles(of: package) + sources + [package.appending(path: "Package.swift")],
                outputFiles: [output])
        ]
    }

    /// The files of the package's git directory that change when HEAD or the index does; none outside git.
    private static func gitFiles(of package: URL) -> [URL] {
        let dotGit = package.appending(path: ".git")
        var gitDirectory = dotGit
        // A worktree or submodule has a `.git` file naming its git directory.
        if let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir: ") {
            let path = text.dropFirst("gitdir: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
            gitDirectory = path.hasPrefix("/") ? URL(fileURLWithPath: path) : package.appending(path: path)
        }
        return ["HEAD", "index", "logs/HEAD"].map { gitDirectory.appending(path: $0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}
