import Foundation

/// TOTP codes as `pyotp` (PyPI) computes them: an implementation that is not authd's.
enum PyOTP {
    /// The codes of base32 `secret` at each of `times` (unix seconds).
    static func codes(_ secret: String, at times: [Int]) throws -> [String] {
        let script = "import pyotp, sys\nfor t in sys.argv[2:]: print(pyotp.TOTP(sys.argv[1]).at(int(t)))"
        let result = try run("/usr/bin/env", ["python3", "-c", script, secret] + times.map(String.init))
        guard result.status == 0 else { throw PyOTPFailure(output: result.output) }
        return result.output.split(separator: "\n").map(String.init)
    }

    /// The code of `secret` at `time`.
    static func code(_ secret: String, at time: Int) throws -> String {
        try codes(secret, at: [time])[0]
    }

    /// Now in unix seconds, with at least `seconds` left in its 30-second step and one gone (it
    /// waits for that, up to 11 s, as a task: async tests share a few pool threads), so that the
    /// server, asked within that time, is in the same step.
    static func safeNow(needing seconds: Int) async -> Int {
        while true {
            let now = Int(Date().timeIntervalSince1970)
            if now % 30 >= 1 && 30 - now % 30 > seconds { return now }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}

/// `python3 -c 'import pyotp…'` failed.
struct PyOTPFailure: Error, CustomStringConvertible {
    let output: String
    var description: String { "pyotp failed: \(output)" }
}
