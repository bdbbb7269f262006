@testable import AuthService

/// Async forms of Auth's completion-based operations, so tests read top to bottom.
extension Auth {
    func register(email: String, password: String) async -> Result<User, AuthError> {
        await withCheckedContinuation { done in register(email: email, password: password) { done.resume(returning: $0) } }
    }

    func login(email: String, password: String) async -> Result<(user: User, sessionID: String), AuthError> {
        await withCheckedContinuation { done in login(email: email, password: password) { done.resume(returning: $0) } }
    }

    func user(forSession sessionID: String?) async -> Result<User, AuthError> {
        await withCheckedContinuation { done in user(forSession: sessionID) { done.resume(returning: $0) } }
    }

    func logout(sessionID: String?) async -> Result<User, AuthError> {
        await withCheckedContinuation { done in logout(sessionID: sessionID) { done.resume(returning: $0) } }
    }

    func resetToken(email: String) async -> Result<String, AuthError> {
        await withCheckedContinuation { done in resetToken(email: email) { done.resume(returning: $0) } }
    }

    func updatePassword(email: String, resetToken: String?, newPassword: String) async -> Result<User, AuthError> {
        await withCheckedContinuation { done in
            updatePassword(email: email, resetToken: resetToken, newPassword: newPassword) { done.resume(returning: $0) }
        }
    }
}

extension Result {
    /// The failure, or nil on success: lets `#expect(result.failure == .x)` read plainly.
    var failure: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }

    /// The success value, or nil.
    var value: Success? {
        if case let .success(value) = self { return value }
        return nil
    }
}

/// Fast settings for tests: bcrypt cost 4, two hash threads.
func testConfiguration(_ database: TemporaryDatabase, cost: Int = 4) -> AuthConfiguration {
    AuthConfiguration(databasePath: database.path, bcryptCost: cost, hashThreads: 2)
}
