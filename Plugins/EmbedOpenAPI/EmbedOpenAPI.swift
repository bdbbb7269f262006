import Foundation
import PackagePlugin

/// Compiles the package's `openapi.json` into `authd` at every build where it changed: a build
/// command writes it, byte for byte, into a raw string literal (`OpenAPIDocument.text`) in a
/// generated source, so `GET /openapi.json` serves the one document without a file beside the
/// binary and without a committed copy to keep in step.
///
/// The command is `/bin/sh` because a build tool of the package's own would be built for the host
/// first on every clean build; the document is the command's input, so SwiftPM runs it again only
/// when the document changes. It fails the build, naming why, when the document holds what would
/// end the literal early (`"""##`) or escape from it (`\##`), or does not end in a newline.
@main
struct EmbedOpenAPI: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let document = context.package.directoryURL.appending(path: "openapi.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument.swift")
        // ### delimiters: the script itself holds `"""##` and `\##`.
        let script = ###"""
            document="$1" file="$2"
            if grep -q '"""##\|\\##' "$document"; then
                echo "error: $document holds a raw-string delimiter (\"\"\"## or \\##)" >&2
                exit 1
            fi
            if [ "$(tail -c 1 "$document" | od -An -c | tr -d ' ')" != '\n' ]; then
                echo "error: $document must end in a newline" >&2
                exit 1
            fi
            {
                printf '%s\n' \
                    '/// The OpenAPI document `GET /openapi.json` serves: the package'"'"'s `openapi.json`, byte for' \
                    '/// byte, compiled in by Plugins/EmbedOpenAPI (`OpenAPITests` checks it).' \
                    'enum OpenAPIDocument {' \
                    '    static let text: StaticString = ##"""'
                cat "$document"
                printf '%s\n' '' '"""##' '}'
            } > "$file.tmp"
            mv "$file.tmp" "$file"
            """###
        return [
            .buildCommand(
                displayName: "Embedding openapi.json",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "embed-openapi", document.path, output.path],
                inputFiles: [document],
                outputFiles: [output])
        ]
    }
}
