import Foundation
import Testing

/// `docs/configuration.md` and `authd serve --help` agree: every flag the binary takes (hidden ones
/// included) has a row in the document, every row names a flag the binary takes, and a row names the
/// environment variable the flag's help names.
@Suite struct ConfigurationDocumentTests {
    private static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/configuration.md")

    /// The flags `authd serve --help-hidden` lists, each with the variable its help names (nil: none).
    private static func helpFlags() throws -> [String: String?] {
        let help = try run(AuthdProcess.binary.path, ["serve", "--help-hidden"])
        try #require(help.status == 0, "authd serve --help-hidden said: \(help.output)")
        var flags: [String: String?] = [:]
        var current: String?
        var text = ""
        func finish() {
            guard let flag = current else { return }
            flags[flag] = firstMatch(#"\((AUTHD_[A-Z_]+)\)"#, in: text)
        }
        for line in help.output.split(separator: "\n", omittingEmptySubsequences: false) {
            if let flag = firstMatch(#"^  (--[a-z0-9-]+)"#, in: String(line)) {
                finish()
                current = flag
                text = String(line)
            } else if line.hasPrefix("      ") {
                text += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                finish()
                current = nil
            }
        }
        finish()
        // The two every command has; the README says what they do.
        flags["--version"] = nil
        flags["--help"] = nil
        return flags
    }

    /// The flags of the document's table rows (`| \`--flag\` (\`AUTHD_X\`) | …`), each with its variable.
    private static func documentedFlags() throws -> [String: String?] {
        let text = try String(contentsOf: document, encoding: .utf8)
        var flags: [String: String?] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `--") {
            let cell = String(line.dropFirst(2).prefix { $0 != "|" })
            let flag = try #require(firstMatch(#"^`(--[a-z0-9-]+)`"#, in: cell))
            #expect(flags[flag] == nil, "\(flag) has two rows in docs/configuration.md")
            flags[flag] = firstMatch(#"\(`(AUTHD_[A-Z_]+)`\)"#, in: cell)
        }
        return flags
    }

    @Test func everyFlagOfServeHelpIsDocumentedAndEveryDocumentedFlagExists() throws {
        let help = try Self.helpFlags()
        let documented = try Self.documentedFlags()
        try #require(help.count > 30, "too few flags read from --help: \(help.keys.sorted())")
        let undocumented = Set(help.keys).subtracting(documented.keys).sorted()
        let unknown = Set(documented.keys).subtracting(help.keys).sorted()
        #expect(undocumented.isEmpty, "flags of authd serve --help missing from docs/configuration.md: \(undocumented)")
        #expect(unknown.isEmpty, "flags of docs/configuration.md that authd serve --help lacks: \(unknown)")
        for (flag, variable) in help {
            guard let variable, let documentedVariable = documented[flag] else { continue }
            #expect(
                documentedVariable == variable,
                "\(flag): its help names \(variable), docs/configuration.md \(documentedVariable ?? "none")")
        }
    }
}

/// The first capture group of `pattern` in `text`, if it matches.
private func firstMatch(_ pattern: String, in text: String) -> String? {
    guard let expression = try? NSRegularExpression(pattern: pattern),
        let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
        let range = Range(match.range(at: 1), in: text)
    else { return nil }
    return String(text[range])
}
