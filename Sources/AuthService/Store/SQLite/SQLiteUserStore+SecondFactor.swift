/// The second-factor tables on the same store thread and in the same transactions as the users.
extension SQLiteUserStore {
    public func findTOTP(userID: Int64, completion: @escaping StoreCompletion<TOTPRecord?>) {
        queue.submit(
            .read, { table throws(StoreError) in try table.secondFactors.find(userID: userID) }, completion: completion)
    }

    public func setPendingTOTP(userID: Int64, secret: SealedSecret, completion: @escaping StoreCompletion<Bool>) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.secondFactors.setPending(userID: userID, secret: secret)
            }, completion: completion)
    }

    public func enableTOTP(
        userID: Int64, secret: SealedSecret, step: Int64, recoveryCodeDigests: [String],
        completion: @escaping StoreCompletion<Bool>
    ) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.secondFactors.enable(
                    userID: userID, secret: secret, step: step, recoveryCodeDigests: recoveryCodeDigests)
            }, completion: completion)
    }

    public func claimTOTPStep(userID: Int64, step: Int64, completion: @escaping StoreCompletion<Bool>) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.secondFactors.claimStep(userID: userID, step: step)
            }, completion: completion)
    }

    public func useRecoveryCode(userID: Int64, digest: String, completion: @escaping StoreCompletion<Bool>) {
        queue.submit(
            .write,
            { table throws(StoreError) in
                try table.secondFactors.useRecoveryCode(userID: userID, digest: digest)
            }, completion: completion)
    }

    public func removeTOTP(userID: Int64, completion: @escaping StoreCompletion<Bool>) {
        queue.submit(
            .write, { table throws(StoreError) in try table.secondFactors.remove(userID: userID) },
            completion: completion)
    }

    public func usersWithTOTP(completion: @escaping StoreCompletion<Set<Int64>>) {
        queue.submit(
            .read, { table throws(StoreError) in try table.secondFactors.enabledUsers() }, completion: completion)
    }

    public func totpKeyIDs(completion: @escaping StoreCompletion<Set<String>>) {
        queue.submit(.read, { table throws(StoreError) in try table.secondFactors.keyIDs() }, completion: completion)
    }
}
