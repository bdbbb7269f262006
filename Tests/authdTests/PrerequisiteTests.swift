import Foundation
import Testing

/// What the end-to-end tests need beyond authd, and how a machine without it is told.
@Suite struct PrerequisiteTests {
    /// Every prerequisite at once: on a machine that lacks some, this one test lists them all.
    @Test func everythingTheTestsCallIsInstalled() throws {
        try Prerequisite.require(
            .curl, .sqlite3, .nginx, .systemdAnalyze, .systemdSocketActivate, .python3, .requests, .bcrypt,
            .aiosmtpd, .schemathesis, .openAPISpecValidator, .openAPIPythonClient)
    }

    @Test func eachMissingThingIsOneLineNamingItsPackageAndTheCommandThatInstallsIt() throws {
        let program = Prerequisite.program(path: "/nonexistent/authd-tool", debianPackage: "authd-tool")
        let module = Prerequisite.pythonModule("authd_no_such_module", pipPackage: "aiosmtpd")
        let error = try #require(throws: MissingPrerequisites.self) {
            try Prerequisite.require(.python3, program, .sqlite3, module)
        }
        #expect(
            error.lines == [
                "missing /nonexistent/authd-tool: Debian package authd-tool; install it with"
                    + " `apt-get install authd-tool` (Tests/run.sh installs every test prerequisite)",
                // The pin of Tests/requirements.txt.
                "missing Python module authd_no_such_module: pip package aiosmtpd; install it with"
                    + " `python3 -m pip install 'aiosmtpd==1.4.6'` (Tests/run.sh installs every test prerequisite)",
            ])
        #expect(error.description == error.lines.joined(separator: "\n"))
    }
}
