/// What `UserStore.copyUsers` did, or would do, with one given row.
public enum CopyOutcome: Sendable, Equatable {
    /// Added as a new user under an id of the store's own (or, when another row conflicts, would be).
    case added
    /// A stored user has this exact email and the same row (hash, session, reset token, their times)
    /// and, like the row, an enabled TOTP or none: nothing to write. What a second run of the same
    /// copy finds.
    case alreadyPresent
    /// Not copied, and while any row has this outcome no row is.
    case conflict(CopyConflict)
}

/// Why a row cannot be copied without changing or shadowing a stored user.
public enum CopyConflict: Sendable, Equatable {
    /// The stored user with this exact email holds another hash, session or reset token (the stored row).
    case differs(stored: User)
    /// A stored user's email equals this one ignoring ASCII case and is not itself among the rows:
    /// the copy would make a case twin that authd's sign-up refuses and that no lookup ignoring
    /// case could find any more (the stored row).
    case caseVariant(stored: User)
    /// The stored user with this exact email holds the same row, but its TOTP is enabled where the
    /// row's is not, or the other way round (the stored row): a copy made before `authd migrate`
    /// carried second factors, or one turned on or off since.
    case otherSecondFactor(stored: User)
    /// An earlier row has this exact email.
    case repeated
}

extension CopyOutcome {
    /// The outcome of each row, in order, against the stored users: `variants` gives the stored
    /// users whose email equals its argument ignoring ASCII case, oldest first (the exact spellings
    /// among them), `storedSecondFactor` whether a stored user's TOTP is enabled, and
    /// `secondFactors` the rows' own (by the row's id). Each store calls it inside its own transaction, then adds the `.added` rows
    /// only if no row conflicts: one decision, so every backend agrees. Rows added meanwhile would
    /// change no outcome (an earlier row's exact email is `.repeated`, and a case twin among the
    /// rows is allowed), so nothing need be written before deciding.
    static func outcomes<Failure: Error>(
        copying rows: [User], secondFactors: [Int64: CopiedSecondFactor],
        variants: (String) throws(Failure) -> [User], storedSecondFactor: (User) throws(Failure) -> Bool
    ) throws(Failure) -> [CopyOutcome] {
        let rowEmails = Set(rows.map { Array($0.email.utf8) })
        var seen: Set<[UInt8]> = []
        var outcomes: [CopyOutcome] = []
        outcomes.reserveCapacity(rows.count)
        for row in rows {
            guard seen.insert(Array(row.email.utf8)).inserted else {
                outcomes.append(.conflict(.repeated))
                continue
            }
            let stored = try variants(row.email)
            if let same = stored.first(where: { $0.email.utf8.elementsEqual(row.email.utf8) }) {
                if !same.holdsTheSameRow(as: row) {
                    outcomes.append(.conflict(.differs(stored: same)))
                } else if try storedSecondFactor(same) != (secondFactors[row.id]?.isEnabled == true) {
                    outcomes.append(.conflict(.otherSecondFactor(stored: same)))
                } else {
                    outcomes.append(.alreadyPresent)
                }
            } else if let twin = stored.first(where: { !rowEmails.contains(Array($0.email.utf8)) }) {
                outcomes.append(.conflict(.caseVariant(stored: twin)))
            } else {
                outcomes.append(.added)
            }
        }
        return outcomes
    }
}

extension [CopyOutcome] {
    /// Whether any row conflicts, so that none may be written.
    var hasConflict: Bool {
        contains { if case .conflict = $0 { true } else { false } }
    }
}

/// What a copied row may hold other than the stored user with its email: the parts `authd migrate`
/// names in a conflict.
public enum CopiedColumn: Sendable, Hashable, CaseIterable {
    case passwordHash
    /// The session id with its creation time.
    case session
    /// The reset token with its creation time.
    case resetToken
}

extension User {
    /// The columns in which `other` differs from this row, byte for byte as the database compares
    /// them (Swift's `==` on strings would equate Unicode variants), in `CopiedColumn` order.
    public func columns(differingFrom other: User) -> [CopiedColumn] {
        func differ(_ left: String?, _ right: String?) -> Bool {
            left.map { Array($0.utf8) } != right.map { Array($0.utf8) }
        }
        return CopiedColumn.allCases.filter { column in
            switch column {
            case .passwordHash: differ(hashedPassword, other.hashedPassword)
            case .session: differ(sessionID, other.sessionID) || sessionCreatedAt != other.sessionCreatedAt
            case .resetToken: differ(resetToken, other.resetToken) || resetTokenCreatedAt != other.resetTokenCreatedAt
            }
        }
    }

    /// Whether `other` is this row under any id: the same email and no column differing.
    func holdsTheSameRow(as other: User) -> Bool {
        email.utf8.elementsEqual(other.email.utf8) && columns(differingFrom: other).isEmpty
    }
}
