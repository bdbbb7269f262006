@testable import AuthService

/// Async forms of Auth's completion-based operations, so tests read top to bottom.
extension Auth {
    func register(
        email: String, password: String, client: ClientIdentity = .test, connection: ClientConnection? = nil
    ) async -> Result<User, AuthError> {
        await withCheckedContinuation { done in
            register(email: email, password: password, client: client, connection: connection) {
                done.resume(returning: $0)
            }
        }
    }

    func login(
        email: String, password: String, client: ClientIdentity = .test, connection: ClientConnection? = nil
    ) async -> Result<LoginSession, AuthError> {
        await withCheckedContinuation { done in
            login(email: email, password: password, client: client, connection: connection) {
                done.resume(returning: $0)
            }
        }
    }

    func user(forSession sessionID: String?, client: ClientIdentity = .test) async -> Result<SessionHolder, AuthError> {
        await withCheckedContinuation { done in
            user(forSession: sessionID, client: client) { done.resume(returning: $0) }
        }
    }

    func logout(sessionID: String?, client: ClientIdentity = .test) async -> Result<User, AuthError> {
        await withCheckedContinuation { done in
            logout(sessionID: sessionID, client: client) { done.resume(returning: $0) }
        }
    }

    func resetToken(email: String, client: ClientIdentity = .test) async -> Result<String, AuthError> {
        await withCheckedContinuation { done in
            resetToken(email: email, client: client) { done.resume(returning: $0.map(\.token)) }
        }
    }

    func requestPasswordReset(email: String, client: ClientIdentity = .test) async -> Result<
        PasswordResetRequest, AuthError
    > {
        await withCheckedContinuation { done in
            requestPasswordReset(email: email, client: client) { done.resume(returning: $0) }
        }
    }

    func updatePassword(
        email: String, resetToken: String?, newPassword: String, client: ClientIdentity = .test,
        connection: ClientConnection? = nil
    ) async -> Result<User, AuthError> {
        await withCheckedContinuation { done in
            updatePassword(
                email: email, resetToken: resetToken, newPassword: newPassword, client: client, connection: connection
            ) { done.resume(returning: $0) }
        }
    }
}

extension ClientIdentity {
    /// The client of tests that do not care who asks (TEST-NET-1, never exempt from a limit).
    static let test = ClientIdentity(address: "192.0.2.1")
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
