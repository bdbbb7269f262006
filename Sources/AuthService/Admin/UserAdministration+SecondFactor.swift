extension UserAdministration {
    /// Removes the second factor (TOTP, pending or enabled, and its recovery codes) of the user an
    /// email names (see `user(email:)`), for a user who lost the device and the codes: its next
    /// login needs the password only. Its sessions end too: one waiting for the code could never
    /// be raised any more (403 until it expired), and one that gave the code may be on the lost
    /// device. A removal is recorded to `audit` (`2fa_reset_by_admin`, then `session_ended` with
    /// reason `revoked` for each session; no client address: an operator at the machine). The
    /// user, whether it had one, and how many sessions ended.
    public func resetSecondFactor(email: String, audit: any AuditSink) throws(AdminError) -> (
        user: User, removed: Bool, endedSessions: Int
    ) {
        let found = try user(email: email)
        let removed = try wait { store.removeTOTP(userID: found.id, completion: $0) }
        guard removed else { return (found, false, 0) }
        audit.record(Self.operatorRecord(.secondFactorResetByAdmin, userID: found.id))
        let ended = try wait { store.endSessions(ofUser: found.id, keeping: nil, completion: $0) }
        for handle in ended {
            audit.record(Self.operatorRecord(.sessionEnded, userID: found.id, reason: .revoked, session: handle))
        }
        return (found, true, ended.count)
    }

    /// The ids of the users whose second factor is enabled.
    public func usersWithSecondFactor() throws(AdminError) -> Set<Int64> {
        try wait { store.usersWithTOTP(completion: $0) }
    }

    /// Whether the user `id`'s second factor is enabled.
    public func hasSecondFactor(userID id: Int64) throws(AdminError) -> Bool {
        try wait { store.findTOTP(userID: id, completion: $0) }?.isEnabled == true
    }
}
