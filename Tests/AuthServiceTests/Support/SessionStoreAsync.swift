@testable import AuthService

/// Async forms of the session operations, so contract tests read top to bottom.
extension SessionPersister {
    func startSession(_ session: Session, storedID: String, limit: Int) async -> Result<[SessionHandle]?, StoreError> {
        await withCheckedContinuation { done in
            startSession(session, storedID: storedID, limit: limit) { done.resume(returning: $0) }
        }
    }

    func endSession(key: SecretKey) async -> Result<EndedSession?, StoreError> {
        await withCheckedContinuation { done in endSession(key) { done.resume(returning: $0) } }
    }

    func sessions(ofUser userID: Int64) async -> Result<[Session], StoreError> {
        await withCheckedContinuation { done in sessions(ofUser: userID) { done.resume(returning: $0) } }
    }

    func endSession(_ handle: SessionHandle, ofUser userID: Int64) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in endSession(handle, ofUser: userID) { done.resume(returning: $0) } }
    }

    func endSessions(ofUser userID: Int64, keeping kept: SessionHandle?) async -> Result<[SessionHandle], StoreError> {
        await withCheckedContinuation { done in
            endSessions(ofUser: userID, keeping: kept) { done.resume(returning: $0) }
        }
    }

    func touchSession(_ handle: SessionHandle, at time: Int64) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in touchSession(handle, at: time) { done.resume(returning: $0) } }
    }

    func renewSession(
        _ handle: SessionHandle, ofUser userID: Int64, storedID: String, assurance: AssuranceLevel
    ) async -> Result<Bool, StoreError> {
        await withCheckedContinuation { done in
            renewSession(handle, ofUser: userID, storedID: storedID, assurance: assurance) {
                done.resume(returning: $0)
            }
        }
    }
}
