import Foundation
import Testing

/// Runs one test alone in a child copy of the test process, for tests that change or count
/// process-wide state (fd limit, open fds) while other test targets run in parallel.
enum IsolatedRun {
    static let marker = "EVENTLOOP_ISOLATED_TEST"

    /// True when the caller is the isolated child and should run its body; otherwise runs the
    /// child, records its failure as this test's, and returns false. `test` is "Suite/testName".
    static func inChildProcess(_ test: String) throws -> Bool {
        if ProcessInfo.processInfo.environment[marker] == test { return true }
        let testName = test.split(separator: "/").last ?? ""
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", test]
        child.environment = ProcessInfo.processInfo.environment.merging([marker: test]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = output
        try child.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        #expect(child.terminationStatus == 0, "isolated run failed:\n\(text)")
        #expect(text.contains("\(testName)() passed"), "the isolated test did not run:\n\(text)")
        return false
    }
}
