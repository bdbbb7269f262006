import ArgumentParser
import AuthService
import Glibc
import HTTPParser

/// `authd users …`: the operator's look at the users table, safe while the server runs.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract:
            "List, show, delete or log out users, set a password or remove a second factor, while the server runs or not.",
        subcommands: [
            List.self, Show.self, Delete.self, Sessions.self, Logout.self, SetPassword.self, ResetSecondFactor.self,
        ]
    )

    /// "1 session", "3 sessions".
    static func sessions(_ count: Int) -> String {
        "\(count) session\(count == 1 ? "" : "s")"
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every user, oldest first (never a session id or token).")

        @OptionGroup var database: DatabaseOptions

        @Flag(help: "One JSON array of {id, email, session, reset_token_pending, second_factor} objects.")
        var json = false

        func run() throws {
            let (users, withSecondFactor) = try database.withUsers { admin in
                (try admin.users(), try admin.usersWithSecondFactor())
            }
            if json {
                print(UserListing.json(users, withSecondFactor: withSecondFactor), terminator: "")
            } else {
                for user in users { print(UserListing.line(user, secondFactor: withSecondFactor.contains(user.id))) }
                print("\(users.count) user\(users.count == 1 ? "" : "s")")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one user, found as a login finds it.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The user's email.")
        var email: String

        func run() throws {
            let (user, secondFactor) = try database.withUsers { admin in
                let user = try admin.user(email: email)
                return (user, try admin.hasSecondFactor(userID: user.id))
            }
            print(UserListing.details(user, secondFactor: secondFactor))
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a user, named by email or by --id: its session ends and its email is free again.",
            discussion:
                "--id (the first column of `authd users list`) removes a row whose stored email no email rule accepts, such as one holding control characters."
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The user's id, instead of its email.")
        var id: Int64?

        @Argument(help: "The user's email.")
        var email: String?

        func validate() throws {
            guard (id == nil) != (email == nil) else {
                throw ValidationError("Give either an email or --id, not both.")
            }
        }

        func run() throws {
            let user = try database.withUsers { admin in
                if let id { try admin.deleteUser(id: id) } else { try admin.deleteUser(email: email ?? "") }
            }
            print("deleted user \(user.id) \(TerminalText.escaped(user.email))")
        }
    }

    struct Sessions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a user's sessions, newest first (never a session id).")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The user's email.")
        var email: String

        func run() throws {
            let (user, sessions) = try database.withUsers { try $0.sessions(email: email) }
            for session in sessions { print(SessionListing.line(session)) }
            print("\(sessions.count) session\(sessions.count == 1 ? "" : "s") of \(TerminalText.escaped(user.email))")
        }
    }

    struct Logout: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End every session of a user; their cookies no longer work.",
            discussion: "Writes a session_ended audit line for each to standard error.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The user's email.")
        var email: String

        func run() throws {
            let audit = AuditLog()
            let (user, ended) = try database.withUsers { try $0.endSessions(email: email, audit: audit) }
            audit.flush()
            let shown = TerminalText.escaped(user.email)
            print(ended == 0 ? "\(shown) had no session" : "ended \(UsersCommand.sessions(ended)) of \(shown)")
        }
    }

    struct SetPassword: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract: "Set a user's password, read from the first line of standard input (never an argument).",
            discussion:
                "Its sessions and any reset token end; password_changed and session_ended audit lines go to standard error. Example: printf '%s\\n' \"$NEW\" | authd users set-password bob@example.com"
        )

        @OptionGroup var database: DatabaseOptions

        @Option(
            help:
                "bcrypt cost of the new hash, 4...31 (AUTHD_BCRYPT_COST). (default: \(AuthConfiguration().bcryptCost))")
        var bcryptCost: Int?

        @Option(
            help:
                "Shortest new password in characters (AUTHD_PASSWORD_MIN_LENGTH). (default: \(AuthConfiguration().passwordMinimumLength))"
        )
        var passwordMinLength: Int?

        @Argument(help: "The user's email.")
        var email: String

        func run() throws {
            var auth = AuthConfiguration()
            auth.bcryptCost = try bcryptCost ?? Environment.process.value("AUTHD_BCRYPT_COST") ?? auth.bcryptCost
            auth.passwordMinimumLength =
                try passwordMinLength ?? Environment.process.value("AUTHD_PASSWORD_MIN_LENGTH")
                ?? auth.passwordMinimumLength
            try auth.validate()
            // One line; its end of line is not part of the password, as `read` in a shell would have it.
            guard var password = readLine(strippingNewline: true) else { throw AdminFailure.noPassword }
            if password.hasSuffix("\r") { password.removeLast() }
            let cost = auth.bcryptCost
            let minimum = auth.passwordMinimumLength
            let audit = AuditLog()
            let user = try database.withUsers { admin in
                try admin.setPassword(
                    email: email, password: password, cost: cost, minimumLength: minimum, audit: audit)
            }
            audit.flush()
            print("set the password of \(TerminalText.escaped(user.email)) (bcrypt cost \(cost)); its sessions ended")
        }
    }

    struct ResetSecondFactor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-2fa",
            abstract:
                "Remove a user's second factor (TOTP and recovery codes) and end its sessions: its next login needs the password only.",
            discussion:
                "For a user who lost both the authenticator and the recovery codes. Writes a 2fa_reset_by_admin audit line to standard error."
        )

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The user's email.")
        var email: String

        func run() throws {
            let audit = AuditLog()
            let (user, removed, ended) = try database.withUsers {
                try $0.resetSecondFactor(email: email, audit: audit)
            }
            audit.flush()
            let shown = TerminalText.escaped(user.email)
            guard removed else { return print("\(shown) had no second factor") }
            print("removed the second factor of \(shown); ended \(UsersCommand.sessions(ended))")
        }
    }
}

/// How the users commands print a user: never its session id, reset token, hash or second-factor
/// secret, which are secrets; its email escaped for the terminal (`TerminalText`), the JSON form
/// escaped as JSON.
enum UserListing {
    /// `3  bob@example.com  session since 2026-11-25T03:22:05.502Z  reset token pending  second factor`
    static func line(_ user: User, secondFactor: Bool = false) -> String {
        var parts = ["\(user.id)", TerminalText.escaped(user.email), session(user)]
        if user.resetToken != nil { parts.append("reset token pending") }
        if secondFactor { parts.append("second factor") }
        return parts.joined(separator: "  ")
    }

    static func details(_ user: User, secondFactor: Bool = false) -> String {
        """
        id: \(user.id)
        email: \(TerminalText.escaped(user.email))
        session: \(session(user))
        reset token: \(user.resetToken == nil ? "none" : "pending")
        password: bcrypt\(user.passwordCost.map { " cost \($0)" } ?? " (unrecognized hash)")
        second factor: \(secondFactor ? "TOTP" : "none")
        """
    }

    /// A JSON array, one object per user, plus a newline.
    static func json(_ users: [User], withSecondFactor: Set<Int64> = []) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, user) in users.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"id\":\(user.id),\"email\":".utf8)
            JSONWriter.appendString(user.email, to: &out)
            out += Array(
                ",\"session\":\(user.sessionID != nil),\"reset_token_pending\":\(user.resetToken != nil)".utf8)
            out += Array(",\"second_factor\":\(withSecondFactor.contains(user.id))}".utf8)
        }
        out += Array("]\n".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    private static func session(_ user: User) -> String {
        guard user.sessionID != nil else { return "no session" }
        guard let created = user.sessionCreatedAt else { return "session (made by the seed's service)" }
        var out: [UInt8] = []
        var formatter = TimestampFormatter()
        formatter.append(created, to: &out)
        return "session since \(String(decoding: out, as: UTF8.self))"
    }
}

/// How `users sessions` prints a session: its handle, times, client and level, never its id.
enum SessionListing {
    /// `5f1c2d3e4a5b6c7d  since 2026-12-07T00:26:15.123Z  seen 2026-12-07T01:02:03.456Z  192.0.2.10  password  "curl/8.0"`
    static func line(_ session: Session) -> String {
        var formatter = TimestampFormatter()
        var created: [UInt8] = []
        formatter.append(session.createdAt, to: &created)
        var seen: [UInt8] = []
        formatter.append(session.lastSeenAt, to: &seen)
        var agent: [UInt8] = []
        JSONWriter.appendString(session.userAgent, to: &agent)
        return [
            session.handle.description, "since " + String(decoding: created, as: UTF8.self),
            "seen " + String(decoding: seen, as: UTF8.self), session.address.isEmpty ? "-" : session.address,
            session.assurance == .password ? "password" : "second factor", String(decoding: agent, as: UTF8.self),
        ].joined(separator: "  ")
    }
}
