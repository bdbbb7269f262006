import Foundation
import PackagePlugin

/// Stamps the commit the build is made from into `authd --version`: before every build, a shell
/// runs `git rev-parse` on the package and writes `let buildCommit = "…"` into a generated source.
///
/// Why a prebuild command: the manifest is evaluated once and cached (a value read there goes stale
/// at the next commit), and a `-D` flag carries no string. The file is rewritten only when the
/// commit changes, so a build with nothing new recompiles nothing. Outside a git checkout of this
/// package, or without git, the commit is `unknown`; uncommitted changes to tracked files add `-dirty`.
@main
struct CommitStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
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
            mkdir -p "$(dirname "$file")"
            [ "$(cat "$file" 2>/dev/null)" = "$line" ] || printf '%s\n' "$line" > "$file"
            """#
        return [
            .prebuildCommand(
                displayName: "Stamping the commit into authd --version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "commit-stamp", context.package.directoryURL.path,
                            output.appending(path: "BuildCommit.swift").path],
                outputFilesDirectory: output),
        ]
    }
}
