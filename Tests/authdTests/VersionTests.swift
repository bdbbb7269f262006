import Foundation
import Testing

@testable import authd

/// `authd --version`: the release and the commit this checkout was at when it was built.
@Suite struct VersionTests {
    @Test func versionPrintsTheReleaseAndTheCommitItWasBuiltFrom() throws {
        let printed = try run(AuthdProcess.binary.path, ["--version"])
        #expect(printed.status == 0)
        #expect(printed.output == "authd \(Version.number) (commit \(Version.commit))\n")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let head = try run("/usr/bin/env", ["git", "-C", repository, "rev-parse", "--short=12", "HEAD"])
        if head.status == 0 {
            let commit = head.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(Version.commit == commit || Version.commit == commit + "-dirty")
        } else {
            #expect(Version.commit == "unknown")
        }
    }
}
