/// Where a user stands with the second factor, as the account page shows it.
public enum SecondFactorState: Sendable, Equatable {
    /// The service has no `--secret-key-file`: no second factor is offered.
    case unavailable
    /// Offered, and off (or only pending enrolment).
    case disabled
    /// On: a password login waits for a code.
    case enabled
}
