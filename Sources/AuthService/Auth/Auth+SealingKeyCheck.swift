extension Auth {
    /// Throws `.sealingKeysMissing` when enabled TOTP secrets in `store` are sealed under a key that
    /// `keys` lacks: started anyway, authd would fail those users' code steps one by one.
    static func checkSealingKeys(
        of store: any UserStore, against keys: SealingKeyring?
    ) throws(AuthStartupError) {
        let result = Awaited<Result<Set<String>, StoreError>>()
        store.totpKeyIDs { result.put($0) }
        let ids: Set<String>
        switch result.take() {
        case let .success(found): ids = found
        case let .failure(error): throw .database(error)
        }
        let missing = ids.filter { keys?.holds(keyID: $0) != true }.sorted()
        guard missing.isEmpty else { throw .sealingKeysMissing(missing, keyFileGiven: keys != nil) }
    }
}
