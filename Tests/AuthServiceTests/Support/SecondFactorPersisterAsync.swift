import Testing

@testable import AuthService

/// Async forms of the second-factor operations, so contract tests read top to bottom.
extension SecondFactorPersister {
    func findTOTP(userID: Int64) async -> Result<TOTPRecord?, StoreError> {
        await withCheckedContinuation { done in findTOTP(userID: userID) { done.resume(returning: $0) } }
    }

    func setPendingTOTP(userID: Int64, secret: SealedSecret) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in
            setPendingTOTP(userID: userID, secret: secret) { done.resume(returning: $0) }
        }
    }

    func enableTOTP(userID: Int64, secret: SealedSecret, step: Int64, recoveryCodeDigests: [String]) async -> Result<
        Bool, StoreError
    > {
        await withCheckedContinuation { done in
            enableTOTP(userID: userID, secret: secret, step: step, recoveryCodeDigests: recoveryCodeDigests) {
                done.resume(returning: $0)
            }
        }
    }

    func claimTOTPStep(userID: Int64, step: Int64) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in claimTOTPStep(userID: userID, step: step) { done.resume(returning: $0) }
        }
    }

    func useRecoveryCode(userID: Int64, digest: String) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in
            useRecoveryCode(userID: userID, digest: digest) { done.resume(returning: $0) }
        }
    }

    func removeTOTP(userID: Int64) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in removeTOTP(userID: userID) { done.resume(returning: $0) } }
    }

    func usersWithTOTP() async -> Result<Set<Int64>, StoreError> {
        await withCheckedContinuation { done in usersWithTOTP { done.resume(returning: $0) } }
    }

    func totpKeyIDs() async -> Result<Set<String>, StoreError> {
        await withCheckedContinuation { done in totpKeyIDs { done.resume(returning: $0) } }
    }
}
