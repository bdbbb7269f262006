extension UserAdministration {
    /// Removes the second factor (TOTP, pending or enabled, and its recovery codes) of the user an
    /// email names (see `user(email:)`), for a user who lost the device and the codes: its next
    /// login needs the password only. A removal is recorded to `audit` (`2fa_reset_by_admin`, no
    /// client address: an operator at the machine). The user, and whether it had one.
    public func resetSecondFactor(email: String, audit: any AuditSink) throws(AdminError) -> (user: User, removed: Bool)
    {
        let found = try user(email: email)
        let removed = try wait { store.removeTOTP(userID: found.id, completion: $0) }
        if removed {
            audit.record(
                AuditRecord(
                    event: .secondFactorResetByAdmin, time: WallClock.milliseconds(), userID: found.id,
                    client: ClientIdentity(address: "")))
        }
        return (found, removed)
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
