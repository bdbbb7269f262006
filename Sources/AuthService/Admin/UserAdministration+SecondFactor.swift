extension UserAdministration {
    /// Removes the second factor (TOTP, pending or enabled, and its recovery codes) of the user an
    /// email names (see `user(email:)`), for a user who lost the device and the codes: its next
    /// login needs the password only. Its sessions end too, by `endSessions(email:audit:)`: one
    /// waiting for the code could never be raised any more (403 until it expired), and one that
    /// gave the code may be on the lost device. A removal is recorded to `audit`
    /// (`2fa_reset_by_admin`, no client address: an operator at the machine) before the sessions'
    /// lines. The user, whether it had one, and how many sessions ended.
    public func resetSecondFactor(email: String, audit: any AuditSink) throws(AdminError) -> (
        user: User, removed: Bool, endedSessions: Int
    ) {
        let found = try user(email: email)
        let removed = try wait { store.removeTOTP(userID: found.id, completion: $0) }
        guard removed else { return (found, false, 0) }
        audit.record(Self.operatorRecord(.secondFactorResetByAdmin, userID: found.id))
        return (found, true, try endSessions(email: found.email, audit: audit).ended)
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
