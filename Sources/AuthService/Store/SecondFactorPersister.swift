/// Users' TOTP secrets and recovery codes as atomic domain operations (see `UserStore` for what
/// every store promises), beside the users they belong to (the same database, the same
/// transactions: removing a user removes them). A secret reaches the store only sealed
/// (`SealedSecret`), a recovery code only as its digest.
public protocol SecondFactorPersister: AnyObject, Sendable {
    /// The TOTP record of user `userID`, pending or enabled; nil when it has none.
    func findTOTP(userID: Int64, completion: @escaping StoreCompletion<TOTPRecord?>)

    /// Gives user `userID` the pending secret `secret`, replacing a pending one; false (nothing
    /// changed) when its TOTP is enabled already, or the user no longer exists.
    func setPendingTOTP(userID: Int64, secret: SealedSecret, completion: @escaping StoreCompletion<Bool>)

    /// Enables user `userID`'s pending secret, only if it is still `secret` (not replaced by a newer
    /// enrolment meanwhile), claims `step` (the step of the code that confirmed it) and replaces
    /// the user's recovery codes by `recoveryCodeDigests`, in one step; whether it did.
    func enableTOTP(
        userID: Int64, secret: SealedSecret, step: Int64, recoveryCodeDigests: [String],
        completion: @escaping StoreCompletion<Bool>)

    /// Claims `step` for user `userID`'s enabled TOTP: true only if no claim so far reached
    /// `step` (steps only move forward, so a code, once accepted, never is again), decided by one
    /// conditional write, so of two concurrent claims of a step, on one node or two, one wins.
    func claimTOTPStep(userID: Int64, step: Int64, completion: @escaping StoreCompletion<Bool>)

    /// Uses up user `userID`'s recovery code with this digest: true when it was there (and now is
    /// not), false when it was not, or was used already; of two concurrent uses, one wins.
    func useRecoveryCode(userID: Int64, digest: String, completion: @escaping StoreCompletion<Bool>)

    /// Removes user `userID`'s TOTP, pending or enabled, and its recovery codes; whether it had one.
    func removeTOTP(userID: Int64, completion: @escaping StoreCompletion<Bool>)

    /// The ids of the users whose TOTP is enabled (`authd users list`).
    func usersWithTOTP(completion: @escaping StoreCompletion<Set<Int64>>)

    /// The ids of the keys the enabled TOTP secrets are sealed under (checked against the keyring
    /// at start-up, so a wrong key file stops authd instead of failing those users' logins).
    func totpKeyIDs(completion: @escaping StoreCompletion<Set<String>>)
}

/// A user's TOTP as stored: the sealed secret, whether it is enabled (or still pending the first
/// code), the last step claimed and how many recovery codes are left.
public struct TOTPRecord: Sendable, Equatable {
    /// The user's id.
    public var userID: Int64
    /// The secret, sealed to the user.
    public var secret: SealedSecret
    /// False while enrolment waits for the first code.
    public var isEnabled: Bool
    /// The latest step claimed; nil when none was.
    public var lastStep: Int64?
    /// Recovery codes not used yet.
    public var recoveryCodesLeft: Int

    /// A record value; does not touch the database.
    public init(userID: Int64, secret: SealedSecret, isEnabled: Bool, lastStep: Int64?, recoveryCodesLeft: Int) {
        self.userID = userID
        self.secret = secret
        self.isEnabled = isEnabled
        self.lastStep = lastStep
        self.recoveryCodesLeft = recoveryCodesLeft
    }
}
