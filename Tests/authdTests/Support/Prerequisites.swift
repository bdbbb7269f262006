import Foundation

/// Something an end-to-end test calls that is not part of authd: a program from a Debian package
/// (`Tests/debian-packages.txt`) or a Python module from a pip package (`Tests/requirements.txt`).
/// `Tests/run.sh` installs them all; a test calls `Prerequisite.require` first, so that on a machine
/// without one it fails naming what is missing and how to install it, not on a bare exit status.
/// It never skips: a run that did not test something must not pass.
enum Prerequisite: Hashable, Sendable {
    /// A program at an absolute path, from a Debian package.
    case program(path: String, debianPackage: String)
    /// Python 3 itself, for scripts that need only its standard library.
    case python3
    /// A module the tests' `python3` (the first on `PATH`) must import, from a pip package.
    case pythonModule(String, pipPackage: String)

    static let curl = program(path: "/usr/bin/curl", debianPackage: "curl")
    static let sqlite3 = program(path: "/usr/bin/sqlite3", debianPackage: "sqlite3")
    static let nginx = program(path: "/usr/sbin/nginx", debianPackage: "nginx")
    static let systemdAnalyze = program(path: "/usr/bin/systemd-analyze", debianPackage: "systemd")
    static let systemdSocketActivate = program(path: "/usr/bin/systemd-socket-activate", debianPackage: "systemd")
    static let requests = pythonModule("requests", pipPackage: "requests")
    static let bcrypt = pythonModule("bcrypt", pipPackage: "bcrypt")
    static let aiosmtpd = pythonModule("aiosmtpd", pipPackage: "aiosmtpd")
    static let schemathesis = pythonModule("schemathesis", pipPackage: "schemathesis")
    static let openAPISpecValidator = pythonModule("openapi_spec_validator", pipPackage: "openapi-spec-validator")
    static let openAPIPythonClient = pythonModule("openapi_python_client", pipPackage: "openapi-python-client")
    static let pyotp = pythonModule("pyotp", pipPackage: "pyotp")

    /// Throws when any of `needs` is missing, naming each on a line of its own with the command that
    /// installs it.
    static func require(_ needs: Prerequisite...) throws {
        let lines = missing(needs).map(\.installHint)
        guard lines.isEmpty else { throw MissingPrerequisites(lines: lines) }
    }

    /// Those of `needs` that are not there; without a Python, `.python3` stands for all its modules.
    static func missing(_ needs: [Prerequisite]) -> [Prerequisite] {
        let programs = needs.filter {
            guard case .program(let path, _) = $0 else { return false }
            return !FileManager.default.isExecutableFile(atPath: path)
        }
        let modules = needs.compactMap { need -> String? in
            guard case .pythonModule(let module, _) = need else { return nil }
            return module
        }
        guard needs.contains(.python3) || !modules.isEmpty else { return programs }
        guard let absent = PythonModules.absent(modules) else { return programs + [.python3] }
        return programs
            + needs.filter { need in
                guard case .pythonModule(let module, _) = need else { return false }
                return absent.contains(module)
            }
    }

    /// One line: what is missing, its package and the command that installs it.
    var installHint: String {
        let all = "(Tests/run.sh installs every test prerequisite)"
        return switch self {
        case .program(let path, let package):
            "missing \(path): Debian package \(package); install it with `apt-get install \(package)` \(all)"
        case .python3:
            "missing python3: Debian packages python3 and python3-venv;"
                + " install them with `apt-get install python3 python3-venv` \(all)"
        case .pythonModule(let module, let package):
            "missing Python module \(module): pip package \(package); install it with"
                + " `python3 -m pip install '\(Self.pinned(package))'` \(all)"
        }
    }

    /// `package==version` as `Tests/requirements.txt` pins it, or the bare name when it is not there.
    private static func pinned(_ package: String) -> String {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("requirements.txt")
        let lines = (try? String(contentsOf: file, encoding: .utf8))?.split(separator: "\n") ?? []
        return lines.first { $0.hasPrefix(package + "==") }.map(String.init) ?? package
    }
}

/// The error `Prerequisite.require` throws: its description is one line per missing thing.
struct MissingPrerequisites: Error, CustomStringConvertible {
    let lines: [String]
    var description: String { lines.joined(separator: "\n") }
}

/// Asks the tests' `python3` (the first on `PATH`, as the tests run it) which modules it lacks.
private enum PythonModules {
    /// Those of `modules` that do not import, or nil when there is no `python3` to ask.
    static func absent(_ modules: [String]) -> Set<String>? {
        let script = """
            import importlib, sys
            for name in sys.argv[1:]:
                try:
                    importlib.import_module(name)
                except Exception:
                    print(name)
            """
        guard let result = try? run("/usr/bin/env", ["python3", "-c", script] + modules), result.status == 0 else {
            return nil
        }
        return Set(result.output.split(separator: "\n").map(String.init))
    }
}
