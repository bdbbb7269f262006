import ArgumentParser

/// The authd binary: the server, and the admin commands beside it. With no subcommand it serves
/// (`serve` is the default), so every server flag works as before without naming it. The server
/// is a subcommand rather than the root because ArgumentParser hands a root's options to the root
/// even after a subcommand's name: a serving root would take the admin commands' `--database`.
@main
struct AuthdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd",
        abstract: "User-authentication HTTP service (register, log in, profile, log out, reset password).",
        discussion:
            "With no subcommand, authd serves: `authd --port 5000` is `authd serve --port 5000`; `authd serve --help` lists the server's flags.",
        version: Version.text,
        subcommands: [
            ServeCommand.self, UsersCommand.self, BackupCommand.self, ImportCommand.self, MigrateCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
