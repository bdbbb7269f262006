import AuthService
import Glibc
import Testing

@testable import authd

/// `--secret-key-file` and `--previous-secret-key-file` (or their variables) become the keyring,
/// and a file that cannot be a key stops authd with the one line that says how to make one.
@Suite struct SecretKeyFileSettingsTests {
    private func settings(_ arguments: [String] = [], _ variables: [String: String] = [:]) throws -> Settings {
        try Settings(Options.parse(arguments), environment: Environment(variables))
    }

    /// A directory of its own with a key file of `count` bytes named `name` for each (name, count).
    private func withKeyFiles(_ files: [String: Int], _ body: (String) throws -> Void) throws {
        let directory = try #require(mkdtemp(strdup("/tmp/authd-keys-XXXXXX")).map { String(cString: $0) })
        defer { _ = system("rm -rf '\(directory)'") }
        for (name, count) in files {
            let file = try #require(fopen("\(directory)/\(name)", "w"))
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ name.utf8.count) }
            fwrite(bytes, 1, count, file)
            fclose(file)
        }
        try body(directory)
    }

    @Test func withoutAKeyFileNoKeysAreSet() throws {
        #expect(try settings().auth.sealingKeys == nil)
    }

    @Test func theKeyFileComesFromTheFlagOrTheVariable() throws {
        try withKeyFiles(["key": 32, "previous": 32]) { directory in
            let byFlag = try #require(try settings(["--secret-key-file", "\(directory)/key"]).auth.sealingKeys)
            let byVariable = try #require(
                try settings([], ["AUTHD_SECRET_KEY_FILE": "\(directory)/key"]).auth.sealingKeys)
            #expect(byFlag.current.id == byVariable.current.id)
            let rotated = try #require(
                try settings([
                    "--secret-key-file", "\(directory)/key", "--previous-secret-key-file", "\(directory)/previous",
                ])
                .auth.sealingKeys)
            let sealed = try SealingKeyring(current: try SealingKey(contentsOfFile: "\(directory)/previous"))
                .seal([9], for: .totpSecret(userID: 1, email: "a@b.c"))
            #expect(rotated.open(sealed, for: .totpSecret(userID: 1, email: "a@b.c")) == [9])
            #expect(byFlag.open(sealed, for: .totpSecret(userID: 1, email: "a@b.c")) == nil)
        }
    }

    @Test func aMissingOrWrongSizedKeyFileIsRefusedSayingHowToMakeOne() throws {
        try withKeyFiles(["short": 16]) { directory in
            for path in ["\(directory)/missing", "\(directory)/short"] {
                do {
                    _ = try settings(["--secret-key-file", path])
                    Issue.record("\(path) was taken as a key")
                } catch {
                    #expect("\(error)".hasPrefix("--secret-key-file \(path)"))
                    #expect("\(error)".hasSuffix("make one with: head -c 32 /dev/urandom > \(path); chmod 600 \(path)"))
                }
            }
            #expect(throws: ConfigurationError.self) {
                try settings(["--previous-secret-key-file", "\(directory)/short"])
            }
        }
    }
}
