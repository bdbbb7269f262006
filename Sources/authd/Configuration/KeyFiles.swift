import AuthService

/// The sealing keys from `--secret-key-file` and `--previous-secret-key-file` (or their variables),
/// read the same way by `serve` and `migrate`.
enum KeyFiles {
    /// The keyring the two files make; nil when neither is given. A previous key file alone is
    /// refused: it would only open, and nothing could be sealed.
    static func keyring(
        secretKeyFile: String?, previousSecretKeyFile: String?, environment: Environment = .process
    ) throws -> SealingKeyring? {
        let previousKeyFile = try previousSecretKeyFile ?? environment.value("AUTHD_PREVIOUS_SECRET_KEY_FILE")
        guard let keyFile = try secretKeyFile ?? environment.value("AUTHD_SECRET_KEY_FILE") else {
            guard let previousKeyFile else { return nil }
            throw ConfigurationError.invalidSetting(
                "--previous-secret-key-file", value: previousKeyFile, rule: "needs a current --secret-key-file")
        }
        let previous = try previousKeyFile.map { path throws(SealingKeyError) in
            try SealingKey(contentsOfFile: path, flag: "--previous-secret-key-file")
        }
        return SealingKeyring(current: try SealingKey(contentsOfFile: keyFile), previous: previous.map { [$0] } ?? [])
    }
}
