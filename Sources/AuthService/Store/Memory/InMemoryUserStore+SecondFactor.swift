/// The second factor under the same lock as the users, so each operation is atomic with them.
extension InMemoryUserStore {
    public func findTOTP(userID: Int64, completion: @escaping StoreCompletion<TOTPRecord?>) {
        completion(
            apply { state in
                state.totp[userID].map { record in
                    var record = record
                    record.recoveryCodesLeft = state.recoveryCodes[userID]?.count ?? 0
                    return record
                }
            })
    }

    public func setPendingTOTP(userID: Int64, secret: SealedSecret, completion: @escaping StoreCompletion<Bool>) {
        completion(
            apply { state in
                guard state.users.contains(where: { $0.id == userID }), state.totp[userID]?.isEnabled != true else {
                    return false
                }
                state.totp[userID] = TOTPRecord(
                    userID: userID, secret: secret, isEnabled: false, lastStep: nil, recoveryCodesLeft: 0)
                return true
            })
    }

    public func enableTOTP(
        userID: Int64, secret: SealedSecret, step: Int64, recoveryCodeDigests: [String],
        completion: @escaping StoreCompletion<Bool>
    ) {
        completion(
            apply { state in
                guard let record = state.totp[userID], !record.isEnabled, record.secret == secret else { return false }
                state.totp[userID]?.isEnabled = true
                state.totp[userID]?.lastStep = step
                state.recoveryCodes[userID] = Set(recoveryCodeDigests)
                return true
            })
    }

    public func claimTOTPStep(userID: Int64, step: Int64, completion: @escaping StoreCompletion<Bool>) {
        completion(
            apply { state in
                guard let record = state.totp[userID], record.isEnabled, record.lastStep.map({ $0 < step }) ?? true
                else { return false }
                state.totp[userID]?.lastStep = step
                return true
            })
    }

    public func useRecoveryCode(userID: Int64, digest: String, completion: @escaping StoreCompletion<Bool>) {
        completion(apply { state in state.recoveryCodes[userID]?.remove(digest) != nil })
    }

    public func removeTOTP(userID: Int64, completion: @escaping StoreCompletion<Bool>) {
        completion(
            apply { state in
                state.recoveryCodes[userID] = nil
                return state.totp.removeValue(forKey: userID) != nil
            })
    }

    public func usersWithTOTP(completion: @escaping StoreCompletion<Set<Int64>>) {
        completion(apply { state in Set(state.totp.values.filter(\.isEnabled).map(\.userID)) })
    }

    public func totpKeyIDs(completion: @escaping StoreCompletion<Set<String>>) {
        completion(apply { state in Set(state.totp.values.filter(\.isEnabled).map(\.secret.keyID)) })
    }
}
