/// A user's second factor as `copyUsers` carries it from another database: its TOTP, enabled or
/// pending, the last step it claimed, and the digests of its unused recovery codes (a digest binds
/// no user, so it is copied as it is). The secret is sealed to the user's id, which only the copy
/// decides: the store calls `seal` with that id, inside the copy's transaction, and never sees the
/// secret itself.
public struct CopiedSecondFactor: Sendable {
    /// False while enrolment waits for the first code.
    public var isEnabled: Bool
    /// The latest step claimed; nil when none was.
    public var lastStep: Int64?
    /// The digests of the recovery codes not used yet.
    public var recoveryCodeDigests: [String]
    /// The secret sealed to the user with id `userID` in this store (and the row's email); nil when
    /// sealing failed.
    public var seal: @Sendable (_ userID: Int64) -> SealedSecret?

    /// A second factor to copy; does not touch any database.
    public init(
        isEnabled: Bool, lastStep: Int64?, recoveryCodeDigests: [String],
        seal: @escaping @Sendable (_ userID: Int64) -> SealedSecret?
    ) {
        self.isEnabled = isEnabled
        self.lastStep = lastStep
        self.recoveryCodeDigests = recoveryCodeDigests
        self.seal = seal
    }

    /// Why a copy stopped at this second factor: its secret could not be sealed again.
    static let sealingFailed = StoreError.failure(code: -1, message: "cannot seal a copied TOTP secret")
}

/// A user's second factor as another database holds it (`SQLiteUsersReader`): the TOTP record,
/// still sealed to the user's id there, and the digests of its unused recovery codes.
public struct StoredSecondFactor: Sendable, Equatable {
    /// The TOTP record (`recoveryCodesLeft` counts `recoveryCodeDigests`).
    public var totp: TOTPRecord
    /// The digests of the recovery codes not used yet.
    public var recoveryCodeDigests: [String]
    /// The level of the session the user's row names (`users.session_id`), as the source's session
    /// table has it; nil when the row names none, or one that table lacks.
    public var sessionAssurance: AssuranceLevel?

    /// A record value; does not touch the database.
    public init(totp: TOTPRecord, recoveryCodeDigests: [String], sessionAssurance: AssuranceLevel? = nil) {
        self.totp = totp
        self.recoveryCodeDigests = recoveryCodeDigests
        self.sessionAssurance = sessionAssurance
    }
}
